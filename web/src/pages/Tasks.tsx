// Tasks: meetings, demos and follow-ups for today or this week, one's own or (leaders, admins) the team's, with
// overdue ones first and marked. Read from GET /api/tasks/{username} for each person.

import { useEffect, useState } from "preact/hooks";
import { describe, get, pool, session } from "../api";
import { addDays, dayKey, fmtDate, fmtTime, fmtWhen, plural, todayKey } from "../format";
import { loadTeam, onBotReply, team, useStore } from "../store";
import type { Task, TaskList, UserRef } from "../types";
import { Empty, ErrorBox, type Route, setQuery, Spinner, T, usePageTitle } from "../ui";

const OVERDUE_DAYS = 14;

function isOverdue(t: Task, now: number, today: string): boolean {
  return t.has_time ? new Date(t.at).getTime() < now : dayKey(t.at) < today;
}

const TYPE_LABEL: Record<Task["type"], string> = { meeting: "Meeting", demo: "Demo", follow_up: "Follow-up" };

export function Tasks({ route }: { route: Route }) {
  const me = session()!.user;
  const leader = me.role !== "member";
  const range = route.query.get("range") === "week" ? "week" : "today";
  const whose = leader ? route.query.get("whose") ?? "mine" : "mine";
  const state = useStore(team);
  const [items, setItems] = useState<Task[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const titleRef = usePageTitle("Tasks");

  useEffect(() => {
    if (leader) loadTeam().catch(() => undefined);
    return onBotReply(() => setVersion((v) => v + 1));
  }, []);

  const people: UserRef[] =
    whose === "mine"
      ? [me]
      : whose === "team"
        ? state.data?.people ?? []
        : (state.data?.people ?? []).filter((p) => String(p.id) === whose);

  const key = `${range}|${whose}|${people.map((p) => p.id).join(",")}|${version}`;
  useEffect(() => {
    if (people.length === 0) return;
    let live = true;
    const today = todayKey();
    const to = range === "week" ? addDays(today, 6) : today;
    setError(null);
    pool(people, 4, (p) =>
      get<TaskList>(`/tasks/${encodeURIComponent(p.username)}`, { from: addDays(today, -OVERDUE_DAYS), to }).catch(() => null),
    )
      .then((lists) => {
        if (!live) return;
        const all = lists.flatMap((l) => l?.items ?? []);
        all.sort((a, b) => a.at.localeCompare(b.at));
        setItems(all);
      })
      .catch((e) => live && setError(describe(e)));
    return () => {
      live = false;
    };
  }, [key]);

  const now = Date.now();
  const today = todayKey();
  const overdue = (items ?? []).filter((t) => t.type !== "follow_up" && isOverdue(t, now, today));
  const upcoming = (items ?? []).filter((t) => !overdue.includes(t) && dayKey(t.at) >= today);
  const byDay = new Map<string, Task[]>();
  for (const t of upcoming) {
    const k = dayKey(t.at);
    byDay.set(k, [...(byDay.get(k) ?? []), t]);
  }
  const stale = leader ? state.data?.pipeline?.overdue_follow_ups ?? [] : [];
  const showWho = whose !== "mine";

  return (
    <main id="main" class="page tasks-page">
      <div class="page-head">
        <h1 tabIndex={-1} ref={titleRef}>
          Tasks
        </h1>
      </div>
      <div class="filters" role="group" aria-label="Which tasks">
        <fieldset class="segmented">
          <legend class="sr-only">When</legend>
          {(["today", "week"] as const).map((r) => (
            <label key={r} class={range === r ? "on" : ""}>
              <input type="radio" name="range" value={r} checked={range === r} onChange={() => setQuery(route, { range: r === "today" ? null : r })} />
              {r === "today" ? "Today" : "This week"}
            </label>
          ))}
        </fieldset>
        {leader && (
          <div class="field">
            <label for="t-whose">Whose</label>
            <select id="t-whose" value={whose} onChange={(e) => setQuery(route, { whose: (e.target as HTMLSelectElement).value })}>
              <option value="mine">Mine</option>
              <option value="team">{me.role === "admin" ? "Everyone's" : "My team's"}</option>
              {(state.data?.people ?? [])
                .filter((p) => p.id !== me.id)
                .map((p) => (
                  <option key={p.id} value={String(p.id)}>
                    {p.name}
                  </option>
                ))}
            </select>
          </div>
        )}
      </div>

      {error && <ErrorBox error={error} />}
      {!items && !error && <Spinner label="Loading tasks…" />}
      {items && (
        <div class="task-groups" data-ready="true">
          {overdue.length > 0 && (
            <section class="card overdue-group" aria-labelledby="h-overdue">
              <h2 id="h-overdue">Overdue · {overdue.length}</h2>
              <TaskItems tasks={overdue} showWho={showWho} overdue />
            </section>
          )}
          {upcoming.length === 0 && overdue.length === 0 && (
            <Empty>{range === "today" ? "Nothing due today." : "Nothing due this week."}</Empty>
          )}
          {[...byDay.entries()].map(([day, list]) => (
            <section class="card" key={day} aria-labelledby={`h-${day}`}>
              <h2 id={`h-${day}`}>
                {day === today ? "Today" : day === addDays(today, 1) ? "Tomorrow" : fmtDate(`${day}T12:00:00Z`)} · {plural(list.length, "task")}
              </h2>
              <TaskItems tasks={list} showWho={showWho} />
            </section>
          ))}
          {stale.length > 0 && (
            <section class="card" aria-labelledby="h-stale">
              <h2 id="h-stale">Follow-ups with no activity since they were due</h2>
              <ul class="task-list">
                {stale.map((f) => (
                  <li key={f.reminder_id} class="task overdue">
                    <span class="task-time">{fmtWhen(f.due_at)}</span>
                    <a href={`#/lead/${f.lead_id}`}>
                      <T>{f.company}</T>
                    </a>
                    {f.user && <span class="muted">{f.user.name}</span>}
                    <span class="tag-overdue">Overdue</span>
                  </li>
                ))}
              </ul>
            </section>
          )}
        </div>
      )}
    </main>
  );
}

function TaskItems({ tasks, showWho, overdue }: { tasks: Task[]; showWho: boolean; overdue?: boolean }) {
  return (
    <ul class="task-list">
      {tasks.map((t) => (
        <li key={`${t.type}-${t.event_id ?? 0}-${t.reminder_id ?? 0}-${t.assignee.id}`} class={`task${overdue ? " overdue" : ""}`}>
          <span class="task-time">{overdue ? fmtWhen(t.at, t.has_time) : t.has_time ? fmtTime(t.at) : "Any time"}</span>
          <span class={`type type-${t.type}`}>{TYPE_LABEL[t.type]}</span>
          {t.lead_id ? (
            <a href={`#/lead/${t.lead_id}`}>
              <T>{t.company ?? `Lead ${t.lead_id}`}</T>
            </a>
          ) : (
            <span>{t.company}</span>
          )}
          {showWho && <span class="muted">{t.assignee.name}</span>}
          {overdue && <span class="tag-overdue">Overdue</span>}
        </li>
      ))}
    </ul>
  );
}
