// The pipeline board: leads in columns by status, with counts, filters (owner, source, created date) and search.
// Moving a card sends the WhatsApp command for that move (POST /api/app); the bot does the rest.

import { useEffect, useMemo, useState } from "preact/hooks";
import { ActionDialog } from "../action";
import { actionForStatus, type Action } from "../commands";
import { session } from "../api";
import { dayKey, fmtAgo, fmtNumber, plural, sourceLabel, STATUS_LABEL } from "../format";
import { loadTeam, onBotReply, team, useStore } from "../store";
import { STATUSES, type Lead, type Status } from "../types";
import { ErrorBox, type Route, setQuery, Spinner, T, usePageTitle } from "../ui";

const SHOW = 50;

export interface Filters {
  q: string;
  owner: string;
  source: string;
  from: string;
  to: string;
}

export function filtersOf(route: Route): Filters {
  const g = (k: string) => route.query.get(k) ?? "";
  return { q: g("q"), owner: g("owner"), source: g("source"), from: g("from"), to: g("to") };
}

function norm(s: string | null | undefined): string {
  return (s ?? "").toLocaleLowerCase("en-IN");
}

export function applyFilters(leads: Lead[], f: Filters): Lead[] {
  const q = norm(f.q).trim();
  const qDigits = q.replace(/\D/g, "");
  return leads.filter((l) => {
    if (f.owner && String(l.owner.id) !== f.owner) return false;
    if (f.source && (f.source === "(none)" ? l.source : l.source !== f.source)) return false;
    if (f.from || f.to) {
      const created = dayKey(l.created_at);
      if (f.from && created < f.from) return false;
      if (f.to && created > f.to) return false;
    }
    if (!q) return true;
    return (
      norm(l.company).includes(q) ||
      norm(l.contact_name).includes(q) ||
      norm(l.email).includes(q) ||
      (qDigits.length >= 3 && (l.phone ?? "").replace(/\D/g, "").includes(qDigits))
    );
  });
}

export function Board({ route }: { route: Route }) {
  const state = useStore(team);
  const filters = filtersOf(route);
  const [dialog, setDialog] = useState<{ action: Action; lead: Lead } | null>(null);
  const [dragging, setDragging] = useState<number | null>(null);
  const [over, setOver] = useState<Status | null>(null);
  const [shown, setShown] = useState<Record<string, number>>({});
  const titleRef = usePageTitle("Pipeline");

  useEffect(() => {
    loadTeam().catch(() => undefined);
    return onBotReply(() => loadTeam(true).catch(() => undefined));
  }, []);

  const data = state.data;
  const leads = data?.leads ?? [];
  const filtered = useMemo(() => applyFilters(leads, filters), [leads, route.query.toString()]);
  const owners = useMemo(() => {
    const m = new Map<number, string>();
    for (const l of leads) m.set(l.owner.id, l.owner.name);
    return [...m.entries()].sort((a, b) => a[1].localeCompare(b[1]));
  }, [leads]);
  const sources = useMemo(() => {
    const s = new Set<string>();
    for (const l of leads) if (l.source) s.add(l.source);
    return [...s].sort((a, b) => a.localeCompare(b));
  }, [leads]);
  const columns = useMemo(() => {
    const by: Record<string, Lead[]> = {};
    for (const s of STATUSES) by[s] = [];
    for (const l of filtered) (by[l.status] ??= []).push(l);
    return by;
  }, [filtered]);
  const filtering = Object.values(filters).some(Boolean);
  const open = filtered.filter((l) => l.status !== "won" && l.status !== "lost").length;

  function move(lead: Lead, to: Status) {
    if (lead.status === to) return;
    const action = actionForStatus(to);
    if (action) setDialog({ action, lead });
  }

  return (
    <main id="main" class="page board-page">
      <div class="page-head">
        <h1 tabIndex={-1} ref={titleRef}>
          Pipeline
        </h1>
        <div class="row wrap gap-s">
          <span class="muted" aria-live="polite">
            {data
              ? `${plural(filtered.length, "lead")}${filtering ? ` of ${fmtNumber(leads.length)}` : ""} · ${fmtNumber(open)} open`
              : ""}
          </span>
          <button type="button" class="btn ghost small" onClick={() => loadTeam(true).catch(() => undefined)} disabled={state.loading}>
            {state.loading ? "Refreshing…" : "Refresh"}
          </button>
        </div>
      </div>

      <form class="filters" role="search" aria-label="Filter leads" onSubmit={(e) => e.preventDefault()}>
        <div class="field grow">
          <label for="f-q">Search</label>
          <input
            id="f-q"
            type="search"
            placeholder="Company, contact, phone or e-mail"
            value={filters.q}
            onInput={(e) => setQuery(route, { q: (e.target as HTMLInputElement).value })}
          />
        </div>
        <div class="field">
          <label for="f-owner">Owner</label>
          <select id="f-owner" value={filters.owner} onChange={(e) => setQuery(route, { owner: (e.target as HTMLSelectElement).value })}>
            <option value="">Everyone</option>
            {owners.map(([id, name]) => (
              <option key={id} value={String(id)}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-source">Source</label>
          <select id="f-source" value={filters.source} onChange={(e) => setQuery(route, { source: (e.target as HTMLSelectElement).value })}>
            <option value="">All sources</option>
            {sources.map((s) => (
              <option key={s} value={s}>
                {sourceLabel(s)}
              </option>
            ))}
            <option value="(none)">No source</option>
          </select>
        </div>
        <div class="field">
          <label for="f-from">Created from</label>
          <input id="f-from" type="date" value={filters.from} max={filters.to || undefined} onChange={(e) => setQuery(route, { from: (e.target as HTMLInputElement).value })} />
        </div>
        <div class="field">
          <label for="f-to">Created to</label>
          <input id="f-to" type="date" value={filters.to} min={filters.from || undefined} onChange={(e) => setQuery(route, { to: (e.target as HTMLInputElement).value })} />
        </div>
        {filtering && (
          <button type="button" class="btn ghost small align-end" onClick={() => setQuery(route, { q: null, owner: null, source: null, from: null, to: null })}>
            Clear filters
          </button>
        )}
      </form>

      {data?.truncated && (
        <p class="notice">Showing each person's 2,000 most recently active leads; older ones are not on the board.</p>
      )}
      {state.error && !data && <ErrorBox error={state.error} retry={() => loadTeam(true).catch(() => undefined)} />}
      {!data && !state.error && <Spinner label="Loading the pipeline…" />}

      {data && (
        <>
          <nav class="status-jump" aria-label="Jump to a column">
            {STATUSES.map((s) => (
              <a key={s} href={`#col-${s}`} onClick={(e) => { e.preventDefault(); document.getElementById(`col-${s}`)?.scrollIntoView({ behavior: "smooth", inline: "start", block: "nearest" }); }}>
                {STATUS_LABEL[s]} <b>{fmtNumber(columns[s].length)}</b>
              </a>
            ))}
          </nav>
          <div class="board" data-ready="true">
            {STATUSES.map((s) => {
              const list = columns[s];
              const limit = shown[s] ?? SHOW;
              const target = actionForStatus(s);
              return (
                <section
                  key={s}
                  id={`col-${s}`}
                  class={`column col-${s}${over === s ? " drop" : ""}`}
                  aria-labelledby={`h-${s}`}
                  onDragOver={(e) => {
                    if (dragging !== null && target) {
                      e.preventDefault();
                      setOver(s);
                    }
                  }}
                  onDragLeave={() => setOver((o) => (o === s ? null : o))}
                  onDrop={(e) => {
                    e.preventDefault();
                    setOver(null);
                    const lead = leads.find((l) => l.id === dragging);
                    setDragging(null);
                    if (lead) move(lead, s);
                  }}
                >
                  <h2 id={`h-${s}`} class="column-head">
                    <span>{STATUS_LABEL[s]}</span>
                    <span class="count" aria-label={`${list.length} leads`}>
                      {fmtNumber(list.length)}
                    </span>
                  </h2>
                  {list.length === 0 ? (
                    <p class="column-empty">No leads</p>
                  ) : (
                    <ul class="cards">
                      {list.slice(0, limit).map((lead) => (
                        <Card
                          key={lead.id}
                          lead={lead}
                          showOwner={owners.length > 1 || session()?.user.role !== "member"}
                          onMove={(to) => move(lead, to)}
                          onDrag={(on) => setDragging(on ? lead.id : null)}
                        />
                      ))}
                    </ul>
                  )}
                  {list.length > limit && (
                    <button type="button" class="btn ghost small block" onClick={() => setShown({ ...shown, [s]: limit + SHOW })}>
                      Show {fmtNumber(Math.min(SHOW, list.length - limit))} more
                    </button>
                  )}
                </section>
              );
            })}
          </div>
        </>
      )}
      {dialog && (
        <ActionDialog action={dialog.action} lead={dialog.lead} people={data?.people ?? []} onClose={() => setDialog(null)} />
      )}
    </main>
  );
}

function Card({
  lead,
  showOwner,
  onMove,
  onDrag,
}: {
  lead: Lead;
  showOwner: boolean;
  onMove: (to: Status) => void;
  onDrag: (on: boolean) => void;
}) {
  const closed = lead.status === "won" || lead.status === "lost";
  return (
    <li
      class="lead-card"
      draggable={!closed}
      onDragStart={(e) => {
        e.dataTransfer?.setData("text/plain", String(lead.id));
        onDrag(true);
      }}
      onDragEnd={() => onDrag(false)}
    >
      <a class="lead-link" href={`#/lead/${lead.id}`}>
        <T as="strong">{lead.company}</T>
      </a>
      {lead.contact_name && <T class="sub">{lead.contact_name}</T>}
      <div class="meta">
        {lead.source && <span class="chip">{sourceLabel(lead.source)}</span>}
        {showOwner && <span class="owner">{lead.owner.name}</span>}
        <span class="muted" title={`Last activity ${new Date(lead.last_activity_at).toLocaleString("en-IN")}`}>
          {fmtAgo(lead.last_activity_at)}
        </span>
      </div>
      {lead.status === "lost" && lead.lost_reason && <T class="sub muted">{`Lost: ${lead.lost_reason}`}</T>}
      {!closed && (
        <div class="move">
          <label class="sr-only" for={`mv-${lead.id}`}>
            Move {lead.company} to
          </label>
          <select
            id={`mv-${lead.id}`}
            value=""
            onChange={(e) => {
              const to = (e.target as HTMLSelectElement).value as Status;
              (e.target as HTMLSelectElement).value = "";
              if (to) onMove(to);
            }}
          >
            <option value="">Move to…</option>
            {STATUSES.filter((s) => s !== "new" && s !== lead.status).map((s) => (
              <option key={s} value={s}>
                {STATUS_LABEL[s]}
              </option>
            ))}
          </select>
        </div>
      )}
    </li>
  );
}
