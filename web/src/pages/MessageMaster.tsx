// The Message Master editor (admins: every sequence; leaders: their team's, the organisation's read-only): the
// steps, their day offsets and times, the text with placeholders and a live preview, attachments.

import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { ApiError, del, describe, get, post, put, session } from "../api";
import { fmtPhone } from "../format";
import { loadTeam, team, useStore } from "../store";
import type { Lead, Step } from "../types";
import { Dialog, Empty, ErrorBox, Spinner, toast, usePageTitle, WaText } from "../ui";

const PLACEHOLDERS = ["contact_name", "company", "assignee"] as const;

/** The text with its placeholders filled, as the server does ({{ and }} are literal braces); or the problem. */
export function renderTemplate(text: string, values: Record<string, string>): { text: string } | { error: string } {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "{" && text[i + 1] === "{") {
      out += "{";
      i++;
    } else if (c === "}" && text[i + 1] === "}") {
      out += "}";
      i++;
    } else if (c === "{") {
      const end = text.indexOf("}", i);
      if (end < 0) return { error: "There is a “{” without its “}” (write {{ for a literal brace)." };
      const name = text.slice(i + 1, end);
      if (!(name in values)) {
        return { error: `Unknown placeholder {${name}}; use ${PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}.` };
      }
      out += values[name];
      i = end;
    } else if (c === "}") {
      return { error: "There is a “}” without its “{” (write }} for a literal brace)." };
    } else out += c;
  }
  return { text: out };
}

interface Draft {
  id: number | null;
  team_leader_id: number | null;
  day: string;
  time: string;
  text: string;
  attachment_url: string;
  filename: string;
  active: boolean;
}

function draftOf(s: Step): Draft {
  return {
    id: s.id,
    team_leader_id: s.team_leader_id,
    day: String(s.day),
    time: s.time,
    text: s.text,
    attachment_url: s.attachment_url ?? "",
    filename: s.filename ?? "",
    active: s.active,
  };
}

const SAMPLE: Pick<Lead, "company" | "contact_name" | "phone" | "owner"> = {
  company: "Sharma Traders",
  contact_name: "Rakesh Sharma",
  phone: "+919876543210",
  owner: { id: 0, username: "you", name: "Amit Verma" },
};

export function MessageMaster() {
  const me = session()!.user;
  const teamState = useStore(team);
  const [steps, setSteps] = useState<Step[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [confirm, setConfirm] = useState<Step | null>(null);
  const titleRef = usePageTitle("Message Master");

  async function reload() {
    try {
      const res = await get<{ items: Step[] }>("/message-master");
      setSteps(res.items);
      setError(null);
    } catch (e) {
      setError(describe(e));
    }
  }
  useEffect(() => {
    reload();
    loadTeam().catch(() => undefined);
  }, []);

  const canEdit = (teamId: number | null) => me.role === "admin" || (me.role === "leader" && teamId === me.id);
  const groups = useMemo(() => {
    const m = new Map<string, { teamId: number | null; steps: Step[] }>();
    if (me.role === "leader") m.set(String(me.id), { teamId: me.id, steps: [] });
    for (const s of steps ?? []) {
      const k = String(s.team_leader_id ?? "org");
      if (!m.has(k)) m.set(k, { teamId: s.team_leader_id, steps: [] });
      m.get(k)!.steps.push(s);
    }
    if (!m.has("org")) m.set("org", { teamId: null, steps: [] });
    return [...m.values()].sort((a, b) => (a.teamId === null ? -1 : b.teamId === null ? 1 : a.teamId - b.teamId));
  }, [steps]);

  const groupName = (teamId: number | null) => {
    if (teamId === null) return "Organisation's sequence";
    if (teamId === me.id) return "Your team's sequence";
    const p = teamState.data?.people.find((u) => u.id === teamId);
    return `Team of ${p ? p.name : `leader #${teamId}`}`;
  };

  function newStep(teamId: number | null, existing: Step[]) {
    const last = existing[existing.length - 1];
    setDraft({
      id: null,
      team_leader_id: teamId,
      day: String(last ? last.day + 2 : 1),
      time: "10:00",
      text: "Hello {contact_name} ji,\n\n",
      attachment_url: "",
      filename: "",
      active: true,
    });
  }

  async function remove(step: Step) {
    setConfirm(null);
    try {
      const res = await del<{ cancelled_reminders: number }>(`/message-master/${step.id}`);
      toast(`Step deleted${res.cancelled_reminders ? `; ${res.cancelled_reminders} pending reminders cancelled` : ""}.`);
      if (draft?.id === step.id) setDraft(null);
      reload();
    } catch (e) {
      toast(describe(e), "error");
    }
  }

  return (
    <main id="main" class="page mm-page">
      <div class="page-head">
        <h1 tabIndex={-1} ref={titleRef}>
          Message Master
        </h1>
      </div>
      <p class="muted">
        When a demo is marked done, the lead's owner gets one WhatsApp reminder per step, with the text to forward to the
        client. A team with steps of its own uses them; every other team uses the organisation's.
      </p>
      {error && <ErrorBox error={error} retry={reload} />}
      {!steps && !error && <Spinner />}
      {steps && (
        <div class="mm-layout" data-ready="true">
          <div class="mm-groups">
            {groups.map((g) => (
              <section class="card" key={String(g.teamId)} aria-labelledby={`mm-g-${g.teamId ?? "org"}`}>
                <div class="row between wrap">
                  <h2 id={`mm-g-${g.teamId ?? "org"}`}>{groupName(g.teamId)}</h2>
                  {canEdit(g.teamId) && (
                    <button type="button" class="btn small" onClick={() => newStep(g.teamId, g.steps)}>
                      Add a step
                    </button>
                  )}
                </div>
                {!canEdit(g.teamId) && <p class="muted small">Only admins change this sequence.</p>}
                {g.steps.length === 0 ? (
                  <Empty>
                    {g.teamId === me.id
                      ? "Your team has no steps of its own and uses the organisation's. Adding one starts your team's own sequence."
                      : "No steps: demos marked done schedule no follow-ups."}
                  </Empty>
                ) : (
                  <ol class="steps">
                    {g.steps.map((s) => (
                      <li key={s.id} class={`step${s.active ? "" : " inactive"}${draft?.id === s.id ? " selected" : ""}`}>
                        <div class="step-when">
                          <strong>Day {s.day}</strong> · {s.time}
                          {!s.active && <span class="chip">off</span>}
                          {s.attachment_url && <span class="chip">📎 {s.filename ?? "attachment"}</span>}
                        </div>
                        <p class="step-text">{s.text.length > 140 ? `${s.text.slice(0, 140)}…` : s.text}</p>
                        <div class="row gap-s">
                          <button type="button" class="btn small" onClick={() => setDraft(draftOf(s))} aria-label={`${canEdit(g.teamId) ? "Edit" : "View"} step ${s.step}, day ${s.day}`}>
                            {canEdit(g.teamId) ? "Edit" : "View"}
                          </button>
                          {canEdit(g.teamId) && (
                            <button type="button" class="btn small danger ghost" onClick={() => setConfirm(s)} aria-label={`Delete step ${s.step}, day ${s.day}`}>
                              Delete
                            </button>
                          )}
                        </div>
                      </li>
                    ))}
                  </ol>
                )}
              </section>
            ))}
          </div>
          {draft && (
            <Editor
              key={draft.id ?? `new-${draft.team_leader_id}`}
              draft={draft}
              readOnly={!canEdit(draft.team_leader_id)}
              of={groups.find((g) => g.teamId === draft.team_leader_id)?.steps ?? []}
              leads={teamState.data?.leads ?? []}
              onClose={() => setDraft(null)}
              onSaved={(s) => {
                setDraft(draftOf(s));
                reload();
              }}
            />
          )}
        </div>
      )}
      {confirm && (
        <Dialog title="Delete this step?" onClose={() => setConfirm(null)}>
          <p>
            Day {confirm.day} at {confirm.time}. Reminders it already scheduled and not yet sent are cancelled
            {me.role === "admin" ? "" : " for your team"}.
          </p>
          <div class="row end">
            <button type="button" class="btn ghost" onClick={() => setConfirm(null)}>
              Keep it
            </button>
            <button type="button" class="btn danger" onClick={() => remove(confirm)}>
              Delete
            </button>
          </div>
        </Dialog>
      )}
    </main>
  );
}

function Editor({
  draft: initial,
  readOnly,
  of,
  leads,
  onClose,
  onSaved,
}: {
  draft: Draft;
  readOnly: boolean;
  of: Step[];
  leads: Lead[];
  onClose: () => void;
  onSaved: (s: Step) => void;
}) {
  const [d, setD] = useState<Draft>(initial);
  const [sample, setSample] = useState<string>("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const textRef = useRef<HTMLTextAreaElement>(null);
  const headRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headRef.current?.focus(), [initial.id]);

  const lead = leads.find((l) => String(l.id) === sample) ?? SAMPLE;
  const values = {
    contact_name: (lead.contact_name ?? "").trim() || "Sir/Ma'am",
    company: lead.company,
    assignee: lead.owner.name,
  };
  const rendered = renderTemplate(d.text, values);
  const index = d.id === null ? of.length + 1 : Math.max(1, of.findIndex((s) => s.id === d.id) + 1);
  const total = d.id === null ? of.length + 1 : of.length;
  const contact = [lead.contact_name, lead.phone ? fmtPhone(lead.phone) : ""].filter(Boolean).join(", ");
  const header = `Follow-up ${index}/${total} for *${lead.company}*${contact ? ` — ${contact}` : ""}. Forward this:`;
  const set = (k: keyof Draft) => (e: Event) => {
    const t = e.target as HTMLInputElement;
    setD({ ...d, [k]: t.type === "checkbox" ? t.checked : t.value });
  };

  function insert(name: string) {
    const el = textRef.current;
    const token = `{${name}}`;
    if (!el) return setD({ ...d, text: d.text + token });
    const start = el.selectionStart ?? d.text.length;
    const end = el.selectionEnd ?? start;
    const text = d.text.slice(0, start) + token + d.text.slice(end);
    setD({ ...d, text });
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(start + token.length, start + token.length);
    });
  }

  async function save(e: Event) {
    e.preventDefault();
    if ("error" in rendered) {
      setError(rendered.error);
      return;
    }
    const day = Number(d.day);
    if (!Number.isInteger(day) || day < 0 || day > 365) {
      setError("The day must be a whole number from 0 (the day of the demo) to 365.");
      return;
    }
    const body: Record<string, unknown> = {
      day,
      time: d.time || "10:00",
      text: d.text,
      attachment_url: d.attachment_url.trim() || null,
      active: d.active,
    };
    if (d.attachment_url.trim() && d.filename.trim()) body.filename = d.filename.trim();
    setBusy(true);
    setError(null);
    try {
      let saved: Step;
      if (d.id === null) {
        if (d.team_leader_id !== null) body.team_leader_id = d.team_leader_id;
        saved = await post<Step>("/message-master", body);
      } else {
        saved = await put<Step>(`/message-master/${d.id}`, body);
      }
      toast(d.id === null ? "Step added." : "Step saved.");
      onSaved(saved);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : describe(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="card mm-editor" aria-labelledby="mm-editor-title">
      <div class="row between">
        <h2 id="mm-editor-title" tabIndex={-1} ref={headRef}>
          {d.id === null ? "New step" : readOnly ? `Step ${index}` : `Edit step ${index}`}
        </h2>
        <button type="button" class="icon-btn" aria-label="Close the editor" onClick={onClose}>
          ×
        </button>
      </div>
      <form class="stack" onSubmit={save} noValidate>
        <fieldset disabled={readOnly} class="stack plain-fieldset">
          <div class="row wrap gap">
            <div class="field">
              <label for="mm-day">Day after the demo</label>
              <input id="mm-day" type="number" inputMode="numeric" min={0} max={365} value={d.day} onInput={set("day")} aria-describedby="mm-day-help" />
              <small id="mm-day-help" class="muted">0 = the same day</small>
            </div>
            <div class="field">
              <label for="mm-time">Time</label>
              <input id="mm-time" type="time" value={d.time} onInput={set("time")} aria-describedby="mm-time-help" />
              <small id="mm-time-help" class="muted">Team time; held back in quiet hours</small>
            </div>
            <div class="field checkbox">
              <input id="mm-active" type="checkbox" checked={d.active} onChange={set("active")} />
              <label for="mm-active">Active</label>
            </div>
          </div>
          <div class="field">
            <label for="mm-text">Message text</label>
            <textarea id="mm-text" ref={textRef} rows={8} maxLength={4000} value={d.text} onInput={set("text")} aria-describedby="mm-text-help" />
            <div id="mm-text-help" class="row wrap gap-s">
              <span class="muted small">Insert:</span>
              {PLACEHOLDERS.map((p) => (
                <button key={p} type="button" class="chip-btn" onClick={() => insert(p)}>{`{${p}}`}</button>
              ))}
            </div>
          </div>
          <div class="row wrap gap">
            <div class="field grow">
              <label for="mm-url">Attachment link (https://…)</label>
              <input id="mm-url" type="url" inputMode="url" value={d.attachment_url} onInput={set("attachment_url")} placeholder="https://example.com/brochure.pdf" />
            </div>
            <div class="field">
              <label for="mm-file">File name</label>
              <input id="mm-file" value={d.filename} onInput={set("filename")} placeholder="from the link" disabled={!d.attachment_url.trim()} />
            </div>
          </div>
        </fieldset>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        {!readOnly && (
          <div class="row end">
            <button type="button" class="btn ghost" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" class="btn primary" disabled={busy}>
              {busy ? "Saving…" : d.id === null ? "Add step" : "Save step"}
            </button>
          </div>
        )}
      </form>
      <div class="preview">
        <div class="row between wrap">
          <h3 id="mm-preview-title">Preview</h3>
          <div class="field inline">
            <label for="mm-sample">As for</label>
            <select id="mm-sample" value={sample} onChange={(e) => setSample((e.target as HTMLSelectElement).value)}>
              <option value="">Sample: Sharma Traders</option>
              {leads.slice(0, 100).map((l) => (
                <option key={l.id} value={String(l.id)}>
                  {l.company}
                </option>
              ))}
            </select>
          </div>
        </div>
        <p class="muted small">
          Sent to the owner {Number(d.day) === 0 ? "on the day the demo is marked done" : `${d.day} day${d.day === "1" ? "" : "s"} after the demo is marked done`}, at {d.time || "10:00"}.
        </p>
        <div class="phone-frame" aria-labelledby="mm-preview-title" aria-live="polite">
          <div class="bubble out">
            <WaText text={"error" in rendered ? header : `${header}\n\n${rendered.text}`} />
            {d.attachment_url.trim() && <p class="attachment">📎 {d.filename.trim() || d.attachment_url.split("/").pop()}</p>}
          </div>
          {"error" in rendered && (
            <p class="form-error" role="alert">
              {rendered.error}
            </p>
          )}
        </div>
      </div>
    </section>
  );
}
