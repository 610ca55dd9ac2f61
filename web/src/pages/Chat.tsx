// The chat panel: type what you would type on WhatsApp; it goes through POST /api/app as you, and the bot's replies
// come back from GET /api/app/messages. Someone without WhatsApp at hand can do all their work here.

import { useEffect, useRef, useState } from "preact/hooks";
import { describe } from "../api";
import { fmtDateTime, fmtTime, dayKey, todayKey } from "../format";
import { chat, pollChat, sendCommand, setChatOpen, useStore } from "../store";
import { T, WaText } from "../ui";

const SUGGESTIONS = ["my tasks today", "show my leads", "help"];

export function ChatPanel() {
  const state = useStore(chat);
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const logRef = useRef<HTMLDivElement>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    if (!state.open) return;
    pollChat().catch((e) => setError(describe(e)));
    inputRef.current?.focus();
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") pollChat().catch(() => undefined);
    }, 15_000);
    return () => clearInterval(timer);
  }, [state.open]);

  useEffect(() => {
    const el = logRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [state.lines.length, state.open, state.waiting]);

  if (!state.open) return null;

  async function send(value: string) {
    const t = value.trim();
    if (!t) return;
    setText("");
    setError(null);
    try {
      await sendCommand(t);
    } catch (e) {
      setError(describe(e));
    }
    inputRef.current?.focus();
  }

  const today = todayKey();
  return (
    <aside class="chat-panel" aria-labelledby="chat-title">
      <div class="chat-head">
        <h2 id="chat-title">Chat with the bot</h2>
        <button type="button" class="icon-btn" aria-label="Close the chat" onClick={() => setChatOpen(false)}>
          ×
        </button>
      </div>
      <div class="chat-log" ref={logRef} role="log" aria-live="polite" aria-label="Messages" tabIndex={0}>
        {state.lines.length === 0 && state.loaded && (
          <p class="muted chat-hint">
            Write as you would on WhatsApp, in English, Hindi or Hinglish — e.g. “New lead: Sharma Traders, Rakesh Sharma,
            9876543210, IndiaMART” or “Demo done for Sharma Traders”.
          </p>
        )}
        {state.lines.map((l) => (
          <div key={l.key} class={`msg ${l.who}${l.state === "failed" ? " failed" : ""}`}>
            <div class="bubble">
              {l.who === "me" ? <T>{l.text}</T> : <WaText text={l.text} />}
              {l.attachment && (
                <p>
                  📎{" "}
                  <a href={l.attachment.url} target="_blank" rel="noopener noreferrer">
                    {l.attachment.filename ?? "attachment"}
                  </a>
                </p>
              )}
              {l.leadId ? (
                <p class="small">
                  <a href={`#/lead/${l.leadId}`}>Open the lead</a>
                </p>
              ) : null}
            </div>
            <span class="msg-meta">
              <time dateTime={l.at}>{dayKey(l.at) === today ? fmtTime(l.at) : fmtDateTime(l.at)}</time>
              {l.state === "sending" && " · sending…"}
              {l.state === "failed" && " · not sent"}
            </span>
          </div>
        ))}
        {state.waiting && (
          <p class="typing muted" aria-live="polite">
            The bot is answering…
          </p>
        )}
      </div>
      {(error || state.error) && (
        <p class="form-error" role="alert">
          {error ?? state.error}
        </p>
      )}
      <div class="chips" role="group" aria-label="Quick commands">
        {SUGGESTIONS.map((s) => (
          <button key={s} type="button" class="chip-btn" onClick={() => send(s)}>
            {s}
          </button>
        ))}
      </div>
      <form
        class="chat-form"
        onSubmit={(e) => {
          e.preventDefault();
          send(text);
        }}
      >
        <label for="chat-input" class="sr-only">
          Message to the bot
        </label>
        <textarea
          id="chat-input"
          ref={inputRef}
          rows={2}
          maxLength={4000}
          placeholder="Type a command…"
          value={text}
          onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey) {
              e.preventDefault();
              send(text);
            }
          }}
        />
        <button type="submit" class="btn primary" disabled={!text.trim()}>
          Send
        </button>
      </form>
    </aside>
  );
}
