// What the pages share: the team's leads (read per owner through GET /api/leads/{user_id}), the management
// counts (GET /api/pipeline, leaders and admins), and the chat with the bot (POST /api/app, GET /api/app/messages).

import { useEffect, useState } from "preact/hooks";
import { ApiError, get, onSession, pool, post, session } from "./api";
import type { InboxMessage, InboxPage, Lead, LeadPage, Pipeline, UserRef } from "./types";

type Listener = () => void;

/** A tiny observable value: pages subscribe with useStore(). */
export class Store<T> {
  private listeners = new Set<Listener>();
  constructor(private value: T) {}
  get(): T {
    return this.value;
  }
  set(next: T | ((v: T) => T)): void {
    this.value = typeof next === "function" ? (next as (v: T) => T)(this.value) : next;
    for (const l of this.listeners) l();
  }
  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}

export function useStore<T>(store: Store<T>): T {
  const [, force] = useState(0);
  useEffect(() => store.subscribe(() => force((n) => n + 1)), [store]);
  return store.get();
}

// ----- the team's leads -----

export interface TeamData {
  leads: Lead[];
  /** Everyone whose leads were read: oneself, then each owner the management view names. */
  people: UserRef[];
  pipeline: Pipeline | null;
  /** Some owner had more leads than one read takes (PAGES_PER_OWNER pages): the oldest are not shown. */
  truncated: boolean;
  loadedAt: number;
}

export interface TeamState {
  data: TeamData | null;
  loading: boolean;
  error: string | null;
}

export const team = new Store<TeamState>({ data: null, loading: false, error: null });
const PAGE = 200;
const PAGES_PER_OWNER = 10; // 2,000 most recently active leads per person
let inflight: Promise<TeamData> | null = null;

async function leadsOf(userId: number): Promise<{ items: Lead[]; truncated: boolean }> {
  const items: Lead[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < PAGES_PER_OWNER; page++) {
    let res: LeadPage;
    try {
      res = await get<LeadPage>(`/leads/${userId}`, { limit: PAGE, cursor });
    } catch (e) {
      // Someone the management view names but whose leads are not ours to read (an outside owner of a lead
      // our team created): their leads that concern us come through our own people.
      if (e instanceof ApiError && (e.status === 403 || e.status === 404)) return { items, truncated: false };
      throw e;
    }
    items.push(...res.items);
    cursor = res.next_cursor;
    if (!cursor) return { items, truncated: false };
  }
  return { items, truncated: true };
}

async function fetchTeam(): Promise<TeamData> {
  const s = session();
  if (!s) throw new ApiError(401, "unauthorized", "Please log in.");
  const me: UserRef = { id: s.user.id, username: s.user.username, name: s.user.name };
  let pipeline: Pipeline | null = null;
  let people: UserRef[] = [me];
  if (s.user.role !== "member") {
    pipeline = await get<Pipeline>("/pipeline");
    for (const o of pipeline.by_owner) if (!people.some((p) => p.id === o.owner.id)) people.push(o.owner);
  }
  const pages = await pool(people, 4, (p) => leadsOf(p.id));
  const byId = new Map<number, Lead>();
  for (const page of pages) for (const lead of page.items) byId.set(lead.id, lead);
  const leads = [...byId.values()].sort((a, b) => b.last_activity_at.localeCompare(a.last_activity_at));
  people = people.filter((p, i) => p.id === me.id || pages[i].items.length > 0);
  return { leads, people, pipeline, truncated: pages.some((p) => p.truncated), loadedAt: Date.now() };
}

/** Load (or reload) the team's leads; callers share one request in flight. */
export function loadTeam(force = false): Promise<TeamData> {
  const state = team.get();
  if (!force && state.data && Date.now() - state.data.loadedAt < 60_000) return Promise.resolve(state.data);
  if (inflight) return inflight;
  team.set((t) => ({ ...t, loading: true, error: null }));
  inflight = fetchTeam()
    .then((data) => {
      team.set({ data, loading: false, error: null });
      return data;
    })
    .catch((e) => {
      team.set((t) => ({ ...t, loading: false, error: (e as Error).message }));
      throw e;
    })
    .finally(() => {
      inflight = null;
    });
  return inflight;
}

export function leadById(id: number): Lead | undefined {
  return team.get().data?.leads.find((l) => l.id === id);
}

/** The people a leader or admin can pick (owner filters, tasks of the team). */
export function people(): UserRef[] {
  return team.get().data?.people ?? [];
}

// ----- the chat with the bot -----

export interface ChatLine {
  key: string;
  who: "me" | "bot";
  text: string;
  at: string;
  state?: "sending" | "sent" | "failed";
  leadId?: number | null;
  attachment?: { url: string; filename: string | null } | null;
}

export interface ChatState {
  lines: ChatLine[];
  after: number;
  open: boolean;
  waiting: boolean;
  loaded: boolean;
  unread: number;
  error: string | null;
}

const SENT_KEY = "crm.chat.sent";
export const chat = new Store<ChatState>({
  lines: [],
  after: 0,
  open: false,
  waiting: false,
  loaded: false,
  unread: 0,
  error: null,
});
const KEEP = 200;

function savedSent(): ChatLine[] {
  try {
    return JSON.parse(sessionStorage.getItem(SENT_KEY) ?? "[]") as ChatLine[];
  } catch {
    return [];
  }
}

function saveSent(lines: ChatLine[]): void {
  try {
    sessionStorage.setItem(SENT_KEY, JSON.stringify(lines.filter((l) => l.who === "me").slice(-KEEP)));
  } catch {
    /* ignore */
  }
}

function botLine(m: InboxMessage): ChatLine {
  return {
    key: `b${m.id}`,
    who: "bot",
    text: m.body,
    at: m.created_at,
    leadId: m.lead_id,
    attachment: m.attachment_url ? { url: m.attachment_url, filename: m.attachment_filename } : null,
  };
}

function merge(lines: ChatLine[]): ChatLine[] {
  const seen = new Set<string>();
  const out = lines.filter((l) => (seen.has(l.key) ? false : (seen.add(l.key), true)));
  out.sort((a, b) => a.at.localeCompare(b.at) || (a.who === b.who ? 0 : a.who === "me" ? -1 : 1));
  return out.slice(-KEEP);
}

let polling: Promise<number> | null = null;

/** Read the bot's messages after the last one seen; returns how many arrived. */
export function pollChat(): Promise<number> {
  if (polling) return polling;
  polling = (async () => {
    let arrived = 0;
    let state = chat.get();
    let after = state.after;
    const fresh: ChatLine[] = [];
    // From the beginning once (replies are kept by the server); then only what is new.
    for (let i = 0; i < 50; i++) {
      const page = await get<InboxPage>("/app/messages", { after, limit: 200 });
      fresh.push(...page.items.map(botLine));
      arrived += page.items.length;
      after = page.next_after;
      if (page.items.length < 200) break;
    }
    state = chat.get();
    const firstLoad = !state.loaded;
    chat.set({
      ...state,
      lines: merge([...(firstLoad ? savedSent() : []), ...state.lines, ...fresh]),
      after,
      loaded: true,
      unread: state.open || firstLoad ? 0 : state.unread + arrived,
      error: null,
    });
    return arrived;
  })().finally(() => {
    polling = null;
  });
  return polling;
}

const replyListeners = new Set<() => void>();
/** Called when the bot answered after a command was sent (pages refresh what the command changed). */
export function onBotReply(fn: () => void): () => void {
  replyListeners.add(fn);
  return () => replyListeners.delete(fn);
}

/** Send a command as the logged-in user, exactly as if typed on WhatsApp, and wait a little for the reply. */
export async function sendCommand(text: string, openPanel = true): Promise<void> {
  const line: ChatLine = { key: `m${Date.now()}-${Math.random().toString(36).slice(2, 7)}`, who: "me", text, at: new Date().toISOString(), state: "sending" };
  const before = chat.get().after;
  chat.set((c) => ({ ...c, open: c.open || openPanel, lines: merge([...c.lines, line]), waiting: true, error: null }));
  try {
    await post("/app", { text });
    chat.set((c) => {
      const lines = c.lines.map((l) => (l.key === line.key ? { ...l, state: "sent" as const } : l));
      saveSent(lines);
      return { ...c, lines };
    });
  } catch (e) {
    chat.set((c) => ({
      ...c,
      waiting: false,
      error: (e as Error).message,
      lines: c.lines.map((l) => (l.key === line.key ? { ...l, state: "failed" as const } : l)),
    }));
    throw e;
  }
  // The queue answers within a second or two; keep looking for up to 20 s, and a moment after the first reply
  // (a command may be answered in several messages). Whoever polled (this loop, the open panel), what counts is
  // whether the inbox moved past where it stood when the command was sent.
  const started = Date.now();
  let seen = before;
  let lastArrival = 0;
  while (Date.now() - started < 20_000) {
    await new Promise((r) => setTimeout(r, lastArrival ? 700 : 500));
    try {
      await pollChat();
    } catch {
      continue;
    }
    const now = chat.get().after;
    if (now > seen) {
      seen = now;
      lastArrival = Date.now();
      for (const fn of replyListeners) fn();
    } else if (lastArrival && Date.now() - lastArrival > 1500) break;
  }
  chat.set((c) => ({ ...c, waiting: false }));
}

export function setChatOpen(open: boolean): void {
  chat.set((c) => ({ ...c, open, unread: open ? 0 : c.unread }));
}

onSession((s) => {
  if (!s) {
    team.set({ data: null, loading: false, error: null });
    chat.set({ lines: [], after: 0, open: false, waiting: false, loaded: false, unread: 0, error: null });
  }
});
