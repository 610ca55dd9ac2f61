// Charts where people would rather look than read: leads by source and by status, and the funnel from new to won.
// Inline SVG (no chart library): a few hundred bytes of code, crisp on any screen, and each chart has its table.

import { useEffect, useMemo } from "preact/hooks";
import { addDays, dayKey, fmtNumber, monthRange, sourceLabel, STATUS_LABEL, todayKey } from "../format";
import { loadTeam, team, useStore } from "../store";
import { STATUSES, type Lead } from "../types";
import { ErrorBox, type Route, setQuery, Spinner, usePageTitle } from "../ui";

interface Bar {
  label: string;
  value: number;
  color: string;
  note?: string;
}

const STATUS_COLOR: Record<string, string> = {
  new: "#1d4ed8",
  qualified: "#6d28d9",
  meeting_scheduled: "#0e7490",
  meeting_done: "#0f766e",
  demo_scheduled: "#b45309",
  demo_done: "#c2410c",
  won: "#15803d",
  lost: "#b91c1c",
};
const PALETTE = ["#1d4ed8", "#0f766e", "#b45309", "#6d28d9", "#be123c", "#0e7490", "#4d7c0f", "#a21caf", "#475569"];

const PERIODS: Record<string, string> = { month: "This month", last: "Last month", "90": "Last 90 days", all: "All time" };

function inPeriod(period: string): (l: Lead) => boolean {
  const today = todayKey();
  if (period === "all") return () => true;
  if (period === "90") {
    const from = addDays(today, -89);
    return (l) => dayKey(l.created_at) >= from;
  }
  const [from, to] = monthRange(today, period === "last" ? -1 : 0);
  return (l) => {
    const k = dayKey(l.created_at);
    return k >= from && k < to;
  };
}

export function BarChart({
  id,
  title,
  column,
  bars,
  unit = "Leads",
}: {
  id: string;
  title: string;
  column: string;
  bars: Bar[];
  unit?: string;
}) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const rowH = 34;
  const labelW = 150;
  const width = 560;
  const barMax = width - labelW - 70;
  const height = Math.max(rowH, bars.length * rowH);
  return (
    <figure class="chart card" aria-labelledby={`${id}-t`}>
      <figcaption id={`${id}-t`}>
        <h2>{title}</h2>
      </figcaption>
      {bars.length === 0 ? (
        <p class="empty">No leads in this period.</p>
      ) : (
        <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${id}-t ${id}-d`} preserveAspectRatio="xMinYMin meet">
          <desc id={`${id}-d`}>{bars.map((b) => `${b.label}: ${b.value}`).join(", ")}</desc>
          {bars.map((b, i) => {
            const w = Math.max(2, (b.value / max) * barMax);
            const y = i * rowH;
            return (
              <g key={b.label}>
                <text x={labelW - 8} y={y + rowH / 2} text-anchor="end" dominant-baseline="central" class="chart-label">
                  {b.label.length > 20 ? `${b.label.slice(0, 19)}…` : b.label}
                </text>
                <rect x={labelW} y={y + 6} width={w} height={rowH - 12} rx="4" fill={b.color} />
                <text x={labelW + w + 6} y={y + rowH / 2} dominant-baseline="central" class="chart-value">
                  {fmtNumber(b.value)}
                  {b.note ? ` · ${b.note}` : ""}
                </text>
              </g>
            );
          })}
        </svg>
      )}
      {bars.length > 0 && (
        <details>
          <summary>Show as a table</summary>
          <table>
            <thead>
              <tr>
                <th scope="col">{column}</th>
                <th scope="col">{unit}</th>
              </tr>
            </thead>
            <tbody>
              {bars.map((b) => (
                <tr key={b.label}>
                  <th scope="row">{b.label}</th>
                  <td>
                    {fmtNumber(b.value)}
                    {b.note ? ` (${b.note})` : ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </figure>
  );
}

const FUNNEL = ["new", "qualified", "meeting_scheduled", "meeting_done", "demo_scheduled", "demo_done", "won"] as const;

/** How many leads reached each stage: a lead counts for its status and every stage before it (lost: new only). */
export function funnel(leads: Lead[]): Bar[] {
  const rank = (s: string) => FUNNEL.indexOf(s as (typeof FUNNEL)[number]);
  const counts = FUNNEL.map((_, i) => leads.filter((l) => (l.status === "lost" ? 0 : rank(l.status)) >= i).length);
  return FUNNEL.map((s, i) => ({
    label: STATUS_LABEL[s],
    value: counts[i],
    color: STATUS_COLOR[s],
    note: i === 0 || counts[0] === 0 ? undefined : `${Math.round((counts[i] / counts[0]) * 100)}%`,
  }));
}

function FunnelChart({ bars }: { bars: Bar[] }) {
  const max = Math.max(1, bars[0]?.value ?? 1);
  const width = 560;
  const rowH = 40;
  return (
    <figure class="chart card" aria-labelledby="ch-funnel-t">
      <figcaption id="ch-funnel-t">
        <h2>Funnel: new to won</h2>
      </figcaption>
      {max === 1 && bars[0].value === 0 ? (
        <p class="empty">No leads in this period.</p>
      ) : (
        <svg viewBox={`0 0 ${width} ${bars.length * rowH}`} role="img" aria-labelledby="ch-funnel-t ch-funnel-d">
          <desc id="ch-funnel-d">{bars.map((b) => `${b.label}: ${b.value}${b.note ? ` (${b.note} of new)` : ""}`).join(", ")}</desc>
          {bars.map((b, i) => {
            const w = Math.max(4, (b.value / max) * (width - 40));
            const x = (width - w) / 2;
            return (
              <g key={b.label}>
                <rect x={x} y={i * rowH + 3} width={w} height={rowH - 6} rx="6" fill={b.color} />
                <text x={width / 2} y={i * rowH + rowH / 2} text-anchor="middle" dominant-baseline="central" class="funnel-text">
                  {b.label}: {fmtNumber(b.value)}
                  {b.note ? ` · ${b.note}` : ""}
                </text>
              </g>
            );
          })}
        </svg>
      )}
      <p class="muted small">Each lead counts at its stage and every stage before it; lost leads count only as new.</p>
      <details>
        <summary>Show as a table</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Stage</th>
              <th scope="col">Leads</th>
              <th scope="col">Of new</th>
            </tr>
          </thead>
          <tbody>
            {bars.map((b) => (
              <tr key={b.label}>
                <th scope="row">{b.label}</th>
                <td>{fmtNumber(b.value)}</td>
                <td>{b.note ?? "100%"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

export function Insights({ route }: { route: Route }) {
  const state = useStore(team);
  const period = PERIODS[route.query.get("period") ?? ""] ? route.query.get("period")! : "month";
  const titleRef = usePageTitle("Insights");
  useEffect(() => {
    loadTeam().catch(() => undefined);
  }, []);
  const leads = useMemo(() => (state.data?.leads ?? []).filter(inPeriod(period)), [state.data, period]);
  const bySource = useMemo(() => {
    const m = new Map<string, number>();
    for (const l of leads) {
      const k = sourceLabel(l.source);
      m.set(k, (m.get(k) ?? 0) + 1);
    }
    return [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([label, value], i) => ({ label, value, color: PALETTE[i % PALETTE.length] }));
  }, [leads]);
  const byStatus = useMemo(
    () =>
      STATUSES.map((s) => ({ label: STATUS_LABEL[s], value: leads.filter((l) => l.status === s).length, color: STATUS_COLOR[s] })),
    [leads],
  );
  const won = leads.filter((l) => l.status === "won").length;
  const lost = leads.filter((l) => l.status === "lost").length;

  return (
    <main id="main" class="page insights-page">
      <div class="page-head">
        <h1 tabIndex={-1} ref={titleRef}>
          Insights
        </h1>
        <div class="field inline">
          <label for="i-period">Leads created</label>
          <select id="i-period" value={period} onChange={(e) => setQuery(route, { period: (e.target as HTMLSelectElement).value })}>
            {Object.entries(PERIODS).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </select>
        </div>
      </div>
      {state.error && !state.data && <ErrorBox error={state.error} retry={() => loadTeam(true)} />}
      {!state.data && !state.error && <Spinner />}
      {state.data && (
        <>
          <div class="stats">
            <div class="stat card">
              <span class="stat-value">{fmtNumber(leads.length)}</span>
              <span class="stat-label">leads created</span>
            </div>
            <div class="stat card">
              <span class="stat-value">{fmtNumber(won)}</span>
              <span class="stat-label">won</span>
            </div>
            <div class="stat card">
              <span class="stat-value">{fmtNumber(lost)}</span>
              <span class="stat-label">lost</span>
            </div>
            <div class="stat card">
              <span class="stat-value">{won + lost ? `${Math.round((won / (won + lost)) * 100)}%` : "—"}</span>
              <span class="stat-label">win rate of closed</span>
            </div>
          </div>
          <div class="charts" data-ready="true">
            <BarChart id="ch-source" title="Leads by source" column="Source" bars={bySource} />
            <BarChart id="ch-status" title="Leads by status" column="Status" bars={byStatus} />
            <FunnelChart bars={funnel(leads)} />
          </div>
        </>
      )}
    </main>
  );
}
