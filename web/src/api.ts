// The REST API client: bearer token kept only for the browser session (sessionStorage), JSON in and out, the
// API's `{"error": {"code", "message"}}` turned into ApiError. Nothing here knows the server's internals.

import type { LoginResponse, User } from "./types";

declare const __API_BASE__: string;

/** Where the API lives: "" (same origin, the local host and the Function App) or the Function App's URL. */
export const API_BASE: string = typeof __API_BASE__ === "string" ? __API_BASE__.replace(/\/+$/, "") : "";

const KEY = "crm.session";

export interface Session {
  token: string;
  expiresAt: string;
  user: User;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }
}

let current: Session | null = readSession();
const listeners = new Set<(s: Session | null, why?: string) => void>();

function readSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    if (!s.token || !s.user || Date.parse(s.expiresAt) <= Date.now()) {
      sessionStorage.removeItem(KEY);
      return null;
    }
    return s;
  } catch {
    return null;
  }
}

export function session(): Session | null {
  return current;
}

/** Called with the new session (null: logged out) and, when the server ended it, why. */
export function onSession(fn: (s: Session | null, why?: string) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function setSession(s: Session | null, why?: string): void {
  current = s;
  try {
    if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
    else {
      // Everything of this session goes with the token (the chat log, cached filters).
      for (const k of Object.keys(sessionStorage)) if (k.startsWith("crm.")) sessionStorage.removeItem(k);
    }
  } catch {
    /* storage disabled: the session lives in memory only */
  }
  for (const fn of listeners) fn(s, why);
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined | null>;
  body?: unknown;
  signal?: AbortSignal;
  auth?: boolean;
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const url = new URL(API_BASE + "/api" + path, location.href);
  for (const [k, v] of Object.entries(opts.query ?? {})) {
    if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, String(v));
  }
  const headers: Record<string, string> = { Accept: "application/json" };
  if (opts.body !== undefined) headers["Content-Type"] = "application/json";
  if (opts.auth !== false && current) headers.Authorization = `Bearer ${current.token}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
      credentials: "omit",
      cache: "no-store",
    });
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new ApiError(0, "network", "The server cannot be reached. Check your connection and try again.");
  }
  const text = await res.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string } } | null)?.error;
    const retry = Number(res.headers.get("Retry-After"));
    const error = new ApiError(
      res.status,
      err?.code ?? "http_" + res.status,
      err?.message ?? `The server answered ${res.status}.`,
      Number.isFinite(retry) && retry > 0 ? retry : null,
    );
    if (res.status === 401 && opts.auth !== false && current) {
      setSession(null, error.code === "token_expired" ? "Your session expired. Please log in again." : "Please log in again.");
    }
    throw error;
  }
  return data as T;
}

export const get = <T>(path: string, query?: RequestOptions["query"], signal?: AbortSignal) =>
  request<T>("GET", path, { query, signal });
export const post = <T>(path: string, body?: unknown) => request<T>("POST", path, { body: body ?? {} });
export const put = <T>(path: string, body: unknown) => request<T>("PUT", path, { body });
export const del = <T>(path: string) => request<T>("DELETE", path);

/** Log in with a username or a phone number (any written form); the API tells which. */
export async function login(identity: string, password: string): Promise<Session> {
  const res = await request<LoginResponse>("POST", "/login", {
    body: { username: identity.trim(), password },
    auth: false,
  });
  const s = { token: res.token, expiresAt: res.expires_at, user: res.user };
  setSession(s);
  return s;
}

/** Log out everywhere (the API revokes every token of the user), then forget the token here. */
export async function logout(): Promise<void> {
  try {
    if (current) await request("POST", "/logout", { body: {} });
  } catch {
    /* the token may already be dead; forgetting it is what matters */
  } finally {
    setSession(null);
  }
}

/** End the session here when the token's own expiry passes. */
export function expireLocally(): void {
  if (current && Date.parse(current.expiresAt) <= Date.now()) setSession(null, "Your session expired. Please log in again.");
}

/** A sentence for people, from any error. */
export function describe(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 429 && e.retryAfter) {
      const mins = Math.ceil(e.retryAfter / 60);
      return `${e.message} Try again in ${e.retryAfter < 90 ? `${e.retryAfter} seconds` : `${mins} minutes`}.`;
    }
    if (e.status === 503) return "The database is waking up. Try again in a few seconds.";
    return e.message;
  }
  return (e as Error)?.message || "Something went wrong.";
}

/** Run tasks with at most `n` in flight (a team's leads are read per owner). */
export async function pool<T, R>(items: T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return out;
}
