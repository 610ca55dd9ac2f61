// A lead's page: details, owner, contact (tap to call, WhatsApp), next event, pending follow-ups, and the whole
// chronological story from GET /api/history/{id} — who did what and when, the WhatsApp messages in and out — paged.

import { useEffect, useState } from "preact/hooks";
import { ActionDialog } from "../action";
import { ACTIONS, type Action } from "../commands";
import { ApiError, describe, get } from "../api";
import {
  addDays,
  fmtDateTime,
  fmtINRWords,
  fmtPhone,
  fmtWhen,
  parseAmount,
  sourceLabel,
  telLink,
  todayKey,
  waLink,
} from "../format";
import { leadById, loadTeam, onBotReply, people, team, useStore } from "../store";
import type { HistoryEntry, HistoryPage, Lead, LeadPage, Task, TaskList, UserRef } from "../types";
import { Empty, ErrorBox, Spinner, StatusBadge, T, usePageTitle, WaText } from "../ui";

const PAGE = 50;
const FLOW = ["new", "qualified", "meeting_scheduled", "meeting_done", "demo_scheduled", "demo_done", "won", "lost"];

async function findLead(id: number, company: string | null): Promise<Lead | null> {
  await loadTeam().catch(() => undefined);
  const known = leadById(id);
  if (known || !company) return known ?? null;
  // Beyond what the board holds (a very long list): ask each person's leads for the company.
  for (const p of people()) {
    try {
      const page = await get<LeadPage>(`/leads/${p.id}`, { q: company.slice(0, 100), limit: 50 });
      const hit = page.items.find((l) => l.id === id);
      if (hit) return hit;
    } catch {
      /* not ours to read */
    }
  }
  return null;
}

export function LeadPage({ id }: { id: number }) {
  useStore(team);
  const [lead, setLead] = useState<Lead | null | undefined>(() => leadById(id));
  const [company, setCompany] = useState<string | null>(lead?.company ?? null);
  const [entries, setEntries] = useState<HistoryEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [order, setOrder] = useState<"asc" | "desc">("asc");
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  // undefined: loading; null: not ours to read (another team owns the lead)
  const [tasks, setTasks] = useState<Task[] | null | undefined>(undefined);
  const [dialog, setDialog] = useState<Action | null>(null);
  const [version, setVersion] = useState(0);
  const titleRef = usePageTitle(company ?? "Lead");

  // The history: first page (again when the order or the lead changes, or after the bot answered a command).
  useEffect(() => {
    let live = true;
    setLoading(true);
    setError(null);
    get<HistoryPage>(`/history/${id}`, { order, limit: PAGE })
      .then(async (page) => {
        if (!live) return;
        setEntries(page.items);
        setCursor(page.next_cursor);
        setCompany(page.company);
        const found = await findLead(id, page.company);
        if (live) setLead(found);
      })
      .catch((e) => {
        if (!live) return;
        setError(e instanceof ApiError && e.status === 404 ? "There is no such lead, or it is not yours to see." : describe(e));
        setLead(null);
      })
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [id, order, version]);

  useEffect(() => onBotReply(() => {
    loadTeam(true).then(() => setVersion((v) => v + 1)).catch(() => undefined);
  }), []);

  // Next events and pending follow-ups: the owner's tasks for this lead (today - 30 days … + 60 days).
  useEffect(() => {
    if (!lead) return;
    let live = true;
    const today = todayKey();
    get<TaskList>(`/tasks/${encodeURIComponent(lead.owner.username)}`, { from: addDays(today, -30), to: addDays(today, 60) })
      .then((list) => live && setTasks(list.items.filter((t) => t.lead_id === lead.id)))
      .catch(() => live && setTasks(null));
    return () => {
      live = false;
    };
  }, [lead?.id, lead?.owner.id, version]);

  async function more() {
    if (!cursor) return;
    setLoading(true);
    try {
      const page = await get<HistoryPage>(`/history/${id}`, { order, limit: PAGE, cursor });
      setEntries((e) => [...e, ...page.items]);
      setCursor(page.next_cursor);
    } catch (e) {
      setError(describe(e));
    } finally {
      setLoading(false);
    }
  }

  const team_ = people();
  const nameOf = (uid: unknown): string | null => {
    const p = team_.find((u) => u.id === uid);
    return p ? p.name : null;
  };
  const amount = parseAmount(lead?.turnover);
  const now = Date.now();
  const upcoming = (tasks ?? []).filter((t) => t.type !== "follow_up");
  const followUps = (tasks ?? []).filter((t) => t.type === "follow_up");

  if (error && !company) {
    return (
      <main id="main" class="page">
        <h1 tabIndex={-1} ref={titleRef}>Lead</h1>
        <ErrorBox error={error} />
        <p><a href="#/board">Back to the pipeline</a></p>
      </main>
    );
  }

  const closed = lead?.status === "won" || lead?.status === "lost";
  // What can be done next: nothing moves a lead backwards, so earlier steps are not offered.
  const rank = lead ? FLOW.indexOf(lead.status) : -1;
  const scheduled = (kind: "meeting" | "demo") => upcoming.some((t) => t.type === kind);
  const actions: Action[] = !lead
    ? []
    : closed
      ? [ACTIONS.note]
      : [
          ACTIONS.note,
          ...(rank < 1 ? [ACTIONS.qualify] : []),
          scheduled("meeting") ? ACTIONS.reschedule_meeting : rank < 3 ? ACTIONS.meeting : null,
          ...(rank < 3 ? [ACTIONS.meeting_done] : []),
          scheduled("demo") ? ACTIONS.reschedule_demo : rank < 5 ? ACTIONS.demo : null,
          ...(rank < 5 ? [ACTIONS.demo_done] : []),
          ACTIONS.won,
          ACTIONS.lost,
          ACTIONS.reassign,
        ].filter((a): a is Action => a !== null);

  return (
    <main id="main" class="page lead-page">
      <p class="crumbs">
        <a href="#/board">← Pipeline</a>
      </p>
      <div class="page-head">
        <div>
          <h1 tabIndex={-1} ref={titleRef}>
            <T>{company ?? "Lead"}</T>
          </h1>
          {lead && (
            <p class="row wrap gap-s">
              <StatusBadge status={lead.status} />
              <span>
                Owner: <strong>{lead.owner.name}</strong>
              </span>
              {lead.source && <span class="chip">{sourceLabel(lead.source)}</span>}
              <span class="muted">Created {fmtDateTime(lead.created_at)}</span>
            </p>
          )}
        </div>
      </div>

      {lead && (
        <div class="actions" role="group" aria-label="Work on this lead">
          {actions.map((a) => (
            <button key={a.id} type="button" class={`btn small${a.id === "won" ? " success" : a.id === "lost" ? " danger" : ""}`} onClick={() => setDialog(a)}>
              {a.label}
            </button>
          ))}
        </div>
      )}

      <div class="lead-grid">
        <section class="card" aria-labelledby="h-contact">
          <h2 id="h-contact">Contact</h2>
          {lead === undefined ? (
            <Spinner />
          ) : lead === null ? (
            <p class="muted">The details of this lead are not on your board.</p>
          ) : (
            <dl class="details">
              <dt>Name</dt>
              <dd><T>{lead.contact_name || "—"}</T></dd>
              <dt>Phone</dt>
              <dd>
                {lead.phone ? (
                  <span class="row wrap gap-s">
                    <a href={telLink(lead.phone)} class="btn small" aria-label={`Call ${fmtPhone(lead.phone)}`}>
                      📞 {fmtPhone(lead.phone)}
                    </a>
                    <a href={waLink(lead.phone)} class="btn small wa" target="_blank" rel="noopener noreferrer" aria-label={`WhatsApp ${fmtPhone(lead.phone)}`}>
                      WhatsApp
                    </a>
                  </span>
                ) : (
                  "—"
                )}
              </dd>
              <dt>E-mail</dt>
              <dd>{lead.email ? <a href={`mailto:${lead.email}`}>{lead.email}</a> : "—"}</dd>
              {lead.address && (<><dt>Address</dt><dd><T>{lead.address}</T></dd></>)}
            </dl>
          )}
        </section>

        <section class="card" aria-labelledby="h-next">
          <h2 id="h-next">Next</h2>
          {tasks === null || lead === null ? (
            <p class="muted">The owner's schedule is shown to the owner and their team leader.</p>
          ) : tasks === undefined ? (
            <Spinner />
          ) : (
            <>
              <h3>Meetings and demos</h3>
              {upcoming.length === 0 ? (
                <Empty>Nothing scheduled.</Empty>
              ) : (
                <ul class="plain">
                  {upcoming.map((t) => (
                    <li key={`e${t.event_id}`} class={new Date(t.at).getTime() < now ? "overdue" : ""}>
                      <strong>{t.type === "demo" ? "Demo" : "Meeting"}</strong> · {fmtWhen(t.at, t.has_time)}
                      {t.assignee.id !== lead?.owner.id && ` · ${t.assignee.name}`}
                      {new Date(t.at).getTime() < now && <span class="tag-overdue">Overdue</span>}
                    </li>
                  ))}
                </ul>
              )}
              <h3>Pending follow-ups</h3>
              {followUps.length === 0 ? (
                <Empty>No follow-up reminders pending.</Empty>
              ) : (
                <ul class="plain">
                  {followUps.map((t) => (
                    <li key={`r${t.reminder_id}`}>
                      {fmtWhen(t.at)} <span class="muted">to {t.assignee.name}</span>
                    </li>
                  ))}
                </ul>
              )}
            </>
          )}
        </section>

        {lead && (
          <section class="card" aria-labelledby="h-details">
            <h2 id="h-details">Qualification</h2>
            <dl class="details">
              <dt>Turnover</dt>
              <dd>
                {lead.turnover ? (
                  <>
                    <T>{lead.turnover}</T>
                    {amount !== null && String(amount) !== lead.turnover.trim() && <span class="muted"> ({fmtINRWords(amount)})</span>}
                  </>
                ) : (
                  "—"
                )}
              </dd>
              <dt>Current system</dt>
              <dd><T>{lead.current_system || "—"}</T></dd>
              <dt>Challenges</dt>
              <dd><T>{lead.challenges || "—"}</T></dd>
              {lead.industry && (<><dt>Industry</dt><dd><T>{lead.industry}</T></dd></>)}
              {lead.team_size && (<><dt>Team size</dt><dd>{lead.team_size}</dd></>)}
              {lead.lost_reason && (<><dt>Lost because</dt><dd><T>{lead.lost_reason}</T></dd></>)}
            </dl>
          </section>
        )}
      </div>

      <section class="card history" aria-labelledby="h-history">
        <div class="row between wrap">
          <h2 id="h-history">History</h2>
          <div class="row gap-s">
            <label for="h-order" class="muted small">Order</label>
            <select id="h-order" value={order} onChange={(e) => setOrder((e.target as HTMLSelectElement).value as "asc" | "desc")}>
              <option value="asc">Oldest first</option>
              <option value="desc">Newest first</option>
            </select>
          </div>
        </div>
        {error && <ErrorBox error={error} />}
        <ol class="timeline" data-ready={loading ? undefined : "true"}>
          {entries.map((e) => (
            <HistoryItem key={`${e.source}-${e.source_id}-${e.kind}`} entry={e} nameOf={nameOf} />
          ))}
        </ol>
        {loading && <Spinner label="Loading the history…" />}
        {!loading && entries.length === 0 && !error && <Empty>Nothing has happened yet.</Empty>}
        {cursor && !loading && (
          <button type="button" class="btn block" onClick={more}>
            Show {order === "asc" ? "later" : "earlier"} entries
          </button>
        )}
      </section>

      {dialog && lead && <ActionDialog action={dialog} lead={lead} people={team_} onClose={() => setDialog(null)} />}
    </main>
  );
}

const ICON: Record<string, string> = {
  lead_created: "🆕",
  activity: "📝",
  event_scheduled: "📅",
  event_done: "✅",
  event_cancelled: "✖️",
  reminder_scheduled: "⏰",
  reminder_sent: "📤",
  reminder_cancelled: "🚫",
  reminder_failed: "⚠️",
  message_in: "💬",
  message_out: "🤖",
};

function title(e: HistoryEntry, nameOf: (id: unknown) => string | null): string {
  const who = e.actor?.name;
  const d = e.data ?? {};
  switch (e.kind) {
    case "lead_created":
      return `Lead created${who ? ` by ${who}` : ""}`;
    case "activity":
      return `${(e.subkind ?? "note").replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase())}${who ? ` · ${who}` : ""}`;
    case "event_scheduled":
      return `${e.subkind === "demo" ? "Demo" : "Meeting"} for ${fmtWhen(String(d.starts_at), d.has_time !== false)}${who ? ` · booked by ${who}` : ""}`;
    case "event_done":
      return `${e.subkind === "demo" ? "Demo" : "Meeting"} done${who ? ` · ${who}` : ""}`;
    case "event_cancelled":
      return `${e.subkind === "demo" ? "Demo" : "Meeting"} cancelled`;
    case "reminder_scheduled":
      return `Follow-up reminder set for ${fmtWhen(String(d.due_at))}${nameOf(d.recipient_user_id) ? ` to ${nameOf(d.recipient_user_id)}` : ""}`;
    case "reminder_sent":
      return "Follow-up reminder sent";
    case "reminder_cancelled":
      return "Follow-up reminder cancelled";
    case "reminder_failed":
      return `Follow-up reminder failed${d.last_error ? `: ${String(d.last_error)}` : ""}`;
    case "message_in":
      return `${who ?? "Someone"} wrote ${d.provider === "app" ? "in the dashboard" : "on WhatsApp"}`;
    case "message_out": {
      const to = nameOf(d.recipient_user_id);
      return `Bot ${d.channel === "app" ? "answered in the dashboard" : "sent on WhatsApp"}${to ? ` to ${to}` : ""}`;
    }
  }
  return e.kind;
}

function HistoryItem({ entry: e, nameOf }: { entry: HistoryEntry; nameOf: (id: unknown) => string | null }) {
  const message = e.kind === "message_in" || e.kind === "message_out" || e.kind.startsWith("reminder");
  return (
    <li class={`tl-item tl-${e.kind}`}>
      <span class="tl-icon" aria-hidden="true">
        {ICON[e.kind] ?? "•"}
      </span>
      <div class="tl-body">
        <div class="tl-head">
          <span class="tl-title">{title(e, nameOf)}</span>
          <time dateTime={e.at} class="muted small">
            {fmtDateTime(e.at)}
          </time>
        </div>
        {e.text && (
          <div class={message ? `bubble ${e.kind === "message_in" ? "in" : "out"}` : "tl-text"}>
            <WaText text={e.text} />
          </div>
        )}
      </div>
    </li>
  );
}

export type { UserRef };
