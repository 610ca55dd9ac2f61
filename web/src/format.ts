// Indian formats: dates and times in the team's zone, numbers grouped 1,00,000, amounts in ₹ with lakh/crore.

declare const __TEAM_TZ__: string;

/** The team's time zone (the server's TEAM_TIMEZONE; built in, Asia/Kolkata unless CRM_TEAM_TIMEZONE says). */
export const TZ: string = typeof __TEAM_TZ__ === "string" && __TEAM_TZ__ ? __TEAM_TZ__ : "Asia/Kolkata";
const LOCALE = "en-IN";

const fmtCache = new Map<string, Intl.DateTimeFormat>();
function dtf(opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = JSON.stringify(opts);
  let f = fmtCache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(LOCALE, { timeZone: TZ, ...opts });
    fmtCache.set(key, f);
  }
  return f;
}

/** YYYY-MM-DD of a moment in the team's zone. */
export function dayKey(at: string | Date): string {
  const parts = dtf({ year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(new Date(at));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")}`;
}

export function todayKey(): string {
  return dayKey(new Date());
}

/** A YYYY-MM-DD key moved by n days (calendar arithmetic, no zone involved). */
export function addDays(key: string, n: number): string {
  const [y, m, d] = key.split("-").map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + n));
  return t.toISOString().slice(0, 10);
}

/** The first day of the month of a key, and of the next month. */
export function monthRange(key: string, offset = 0): [string, string] {
  const [y, m] = key.split("-").map(Number);
  const start = new Date(Date.UTC(y, m - 1 + offset, 1));
  const end = new Date(Date.UTC(y, m + offset, 1));
  return [start.toISOString().slice(0, 10), end.toISOString().slice(0, 10)];
}

/** "24 Nov 2026" (the year left out for this year unless `year`). */
export function fmtDate(at: string | Date, year?: boolean): string {
  const d = new Date(at);
  const showYear = year ?? dayKey(d).slice(0, 4) !== todayKey().slice(0, 4);
  return dtf({ day: "numeric", month: "short", ...(showYear ? { year: "numeric" } : {}) }).format(d);
}

/** "4:30 pm". */
export function fmtTime(at: string | Date): string {
  return dtf({ hour: "numeric", minute: "2-digit", hour12: true }).format(new Date(at)).replace(/\s?([AP])M$/i, (_, x) => ` ${x.toLowerCase()}m`);
}

/** "Tue, 24 Nov, 4:30 pm", or "Today, 4:30 pm" / "Tomorrow, …" / "Yesterday, …". */
export function fmtWhen(at: string | Date, hasTime = true): string {
  const key = dayKey(at);
  const today = todayKey();
  let day: string;
  if (key === today) day = "Today";
  else if (key === addDays(today, 1)) day = "Tomorrow";
  else if (key === addDays(today, -1)) day = "Yesterday";
  else day = `${dtf({ weekday: "short" }).format(new Date(at))}, ${fmtDate(at)}`;
  return hasTime ? `${day}, ${fmtTime(at)}` : day;
}

/** "24 Nov 2026, 4:30 pm". */
export function fmtDateTime(at: string | Date): string {
  return `${fmtDate(at)}, ${fmtTime(at)}`;
}

/** "just now", "5 min ago", "3 h ago", "2 days ago", then the date. */
export function fmtAgo(at: string | Date, now = Date.now()): string {
  const s = Math.max(0, (now - new Date(at).getTime()) / 1000);
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  if (s < 86400 * 14) return `${Math.floor(s / 86400)} day${s < 86400 * 2 ? "" : "s"} ago`;
  return fmtDate(at);
}

const numberFmt = new Intl.NumberFormat(LOCALE);
/** 1,00,000 (Indian grouping). */
export function fmtNumber(n: number): string {
  return numberFmt.format(n);
}

const inrFmt = new Intl.NumberFormat(LOCALE, { style: "currency", currency: "INR", maximumFractionDigits: 0 });
/** ₹1,25,000. */
export function fmtINR(n: number): string {
  return inrFmt.format(n);
}

function trim(n: number): string {
  return n.toFixed(2).replace(/\.?0+$/, "");
}

/** ₹12.5 lakh, ₹3 crore, ₹45,000 — as Indian sales teams say amounts. */
export function fmtINRWords(n: number): string {
  if (Math.abs(n) >= 1e7) return `₹${trim(n / 1e7)} crore`;
  if (Math.abs(n) >= 1e5) return `₹${trim(n / 1e5)} lakh`;
  return fmtINR(n);
}

const UNITS: [RegExp, number][] = [
  [/^(crores?|cr|cror|करोड़)$/i, 1e7],
  [/^(lakhs?|lacs?|lac|l|लाख)$/i, 1e5],
  [/^(thousand|k|हज़ार|हजार)$/i, 1e3],
  [/^(million|mn|m)$/i, 1e6],
];

/** An amount as people write it ("3 crore", "12.5L", "₹ 2,50,000", "50k", "2.5 करोड़"), or null. */
export function parseAmount(text: string | null | undefined): number | null {
  if (!text) return null;
  const t = text
    .replace(/(\d),(?=\d)/g, "$1")
    .replace(/₹|\brs\.?|\binr\b/gi, " ")
    .trim();
  const m = /^(\d+(?:\.\d+)?)\s*([^\d\s.]+)?\s*$/u.exec(t);
  if (!m) return null;
  const value = parseFloat(m[1]);
  if (!m[2]) return value;
  for (const [re, mult] of UNITS) if (re.test(m[2])) return value * mult;
  return null;
}

const DEVANAGARI = /[\u0900-\u097F]/;
/** Whether a text is (partly) in Devanagari: it is then marked lang="hi" so it is read and shaped as Hindi. */
export function isDevanagari(s: string | null | undefined): boolean {
  return !!s && DEVANAGARI.test(s);
}

/** +91 98765 43210 for Indian mobiles; other numbers as stored. */
export function fmtPhone(phone: string | null | undefined): string {
  if (!phone) return "";
  const m = /^\+91(\d{5})(\d{5})$/.exec(phone);
  return m ? `+91 ${m[1]} ${m[2]}` : phone;
}

/** The wa.me link of a number (digits only, with the country code). */
export function waLink(phone: string): string {
  return `https://wa.me/${phone.replace(/\D/g, "")}`;
}

export function telLink(phone: string): string {
  return `tel:${phone.replace(/[^\d+]/g, "")}`;
}

export const STATUS_LABEL: Record<string, string> = {
  new: "New",
  qualified: "Qualified",
  meeting_scheduled: "Meeting scheduled",
  meeting_done: "Meeting done",
  demo_scheduled: "Demo scheduled",
  demo_done: "Demo done",
  won: "Won",
  lost: "Lost",
};

export function plural(n: number, one: string, many = one + "s"): string {
  return `${fmtNumber(n)} ${n === 1 ? one : many}`;
}

/** A lead source as people write it: "website" → "Website"; "IndiaMART", "JustDial" stay as they are. */
export function sourceLabel(source: string | null | undefined): string {
  if (!source) return "No source";
  return source === source.toLowerCase() ? source.replace(/(^|[\s-])(\p{L})/gu, (_, a, b) => a + b.toUpperCase()) : source;
}
