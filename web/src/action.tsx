// The dialog that turns a click (a board move, a lead's action button) into the WhatsApp command, shows the exact
// text before it is sent, and sends it through the chat (so the bot's answer, or its question, is seen there).

import { useState } from "preact/hooks";
import { describe } from "./api";
import { type Action, type Field } from "./commands";
import { addDays, todayKey } from "./format";
import { sendCommand } from "./store";
import type { Lead, UserRef } from "./types";
import { Dialog, toast } from "./ui";

const LABELS: Record<Field, string> = {
  when: "Date and time",
  note: "Notes",
  reason: "Reason it was lost",
  assignee: "New owner",
};

function defaultWhen(): string {
  return `${addDays(todayKey(), 1)}T11:00`;
}

export function ActionDialog({
  action,
  lead,
  people,
  onClose,
}: {
  action: Action;
  lead: Lead;
  people: UserRef[];
  onClose: (sent: boolean) => void;
}) {
  const [values, setValues] = useState<Partial<Record<Field, string>>>(() =>
    action.fields.includes("when") ? { when: defaultWhen() } : {},
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const missing = action.fields.filter((f) => !(action.optional ?? []).includes(f) && !(values[f] ?? "").trim());
  const text = action.build(lead.company, values);

  async function submit(e: Event) {
    e.preventDefault();
    if (missing.length) {
      setError(`Please fill in: ${missing.map((f) => LABELS[f].toLowerCase()).join(", ")}.`);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const sending = sendCommand(text);
      onClose(true);
      toast(`Sent: “${text}”`);
      await sending;
    } catch (err) {
      toast(`Not sent: ${describe(err)}`, "error");
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title={`${action.label}: ${lead.company}`} onClose={() => onClose(false)}>
      <form class="stack" onSubmit={submit} noValidate>
        {action.fields.map((f) => (
          <div class="field" key={f}>
            <label for={`act-${f}`}>
              {LABELS[f]}
              {(action.optional ?? []).includes(f) && <span class="muted"> (optional)</span>}
            </label>
            {f === "when" ? (
              <input
                id={`act-${f}`}
                type="datetime-local"
                value={values.when}
                min={`${todayKey()}T00:00`}
                onInput={(e) => setValues({ ...values, when: (e.target as HTMLInputElement).value })}
                required
              />
            ) : f === "assignee" ? (
              <select
                id={`act-${f}`}
                value={values.assignee ?? ""}
                onChange={(e) => setValues({ ...values, assignee: (e.target as HTMLSelectElement).value })}
                required
              >
                <option value="">Choose…</option>
                {people
                  .filter((p) => p.id !== lead.owner.id)
                  .map((p) => (
                    <option key={p.id} value={p.username}>
                      {p.name}
                    </option>
                  ))}
              </select>
            ) : (
              <textarea
                id={`act-${f}`}
                rows={3}
                maxLength={1000}
                value={values[f] ?? ""}
                onInput={(e) => setValues({ ...values, [f]: (e.target as HTMLTextAreaElement).value })}
                required={!(action.optional ?? []).includes(f)}
              />
            )}
          </div>
        ))}
        <div class="command-preview">
          <span class="muted">This sends the bot, as you:</span>
          <code>{text}</code>
        </div>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <div class="row end">
          <button type="button" class="btn ghost" onClick={() => onClose(false)}>
            Cancel
          </button>
          <button type="submit" class="btn primary" disabled={busy}>
            Send
          </button>
        </div>
      </form>
    </Dialog>
  );
}
