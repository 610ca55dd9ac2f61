import { useState } from "preact/hooks";
import { describe, login } from "../api";

export function Login({ notice }: { notice: string | null }) {
  const [identity, setIdentity] = useState("");
  const [password, setPassword] = useState("");
  const [show, setShow] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: Event) {
    e.preventDefault();
    if (!identity.trim() || !password) {
      setError("Enter your username or phone number, and your password.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await login(identity, password);
      if (!location.hash || location.hash === "#/login") location.hash = "#/board";
    } catch (err) {
      setError(describe(err));
      setBusy(false);
    }
  }

  return (
    <main id="main" class="login-page">
      <form class="card login-card stack" onSubmit={submit} noValidate aria-describedby={error ? "login-error" : undefined}>
        <div class="brand-lg" aria-hidden="true">
          ₹
        </div>
        <h1 tabIndex={-1}>Sales CRM</h1>
        <p class="muted">Your team's pipeline — the same commands as on WhatsApp.</p>
        {notice && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
        <div class="field">
          <label for="login-id">Username or phone number</label>
          <input
            id="login-id"
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            spellcheck={false}
            inputMode="text"
            value={identity}
            onInput={(e) => setIdentity((e.target as HTMLInputElement).value)}
            required
          />
        </div>
        <div class="field">
          <label for="login-password">Password</label>
          <div class="input-row">
            <input
              id="login-password"
              name="password"
              type={show ? "text" : "password"}
              autoComplete="current-password"
              value={password}
              onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
              required
            />
            <button type="button" class="btn ghost small" aria-pressed={show} onClick={() => setShow(!show)}>
              {show ? "Hide" : "Show"}
            </button>
          </div>
        </div>
        {error && (
          <p id="login-error" class="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="btn primary block" disabled={busy}>
          {busy ? "Logging in…" : "Log in"}
        </button>
        <p class="muted small">You stay logged in until you close this tab or log out.</p>
      </form>
    </main>
  );
}
