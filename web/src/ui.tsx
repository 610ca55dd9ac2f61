// Small shared pieces: the hash router, dialogs, toasts, badges and WhatsApp-formatted text.

import type { ComponentChildren, JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { isDevanagari, STATUS_LABEL } from "./format";
import { Store, useStore } from "./store";

// ----- routing: #/board?owner=3, #/lead/12, … (works on any static host, no server rewrite needed) -----

export interface Route {
  path: string[];
  query: URLSearchParams;
}

function parse(): Route {
  const raw = location.hash.replace(/^#\/?/, "");
  const [p, q] = raw.split("?", 2);
  return { path: p ? p.split("/").map(decodeURIComponent) : [], query: new URLSearchParams(q ?? "") };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(parse);
  useEffect(() => {
    const on = () => setRoute(parse());
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return route;
}

export function navigate(to: string, replace = false): void {
  const hash = to.startsWith("#") ? to : `#${to}`;
  if (replace) history.replaceState(null, "", hash);
  else location.hash = hash;
  if (replace) dispatchEvent(new HashChangeEvent("hashchange"));
}

/** Change the current route's query without a new history entry (filters). */
export function setQuery(route: Route, changes: Record<string, string | null>): void {
  const q = new URLSearchParams(route.query);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === "") q.delete(k);
    else q.set(k, v);
  }
  const s = q.toString();
  navigate(`/${route.path.map(encodeURIComponent).join("/")}${s ? `?${s}` : ""}`, true);
}

// ----- toasts (announced politely to screen readers) -----

export interface Toast {
  id: number;
  text: string;
  tone: "info" | "error";
}
export const toasts = new Store<Toast[]>([]);
let toastId = 0;

export function toast(text: string, tone: Toast["tone"] = "info"): void {
  const id = ++toastId;
  toasts.set((t) => [...t.slice(-3), { id, text, tone }]);
  setTimeout(() => toasts.set((t) => t.filter((x) => x.id !== id)), tone === "error" ? 8000 : 4500);
}

export function Toasts() {
  const list = useStore(toasts);
  return (
    <div class="toasts" role="status" aria-live="polite">
      {list.map((t) => (
        <div key={t.id} class={`toast toast-${t.tone}`}>
          <T>{t.text}</T>
          <button
            type="button"
            class="icon-btn"
            aria-label="Dismiss"
            onClick={() => toasts.set((all) => all.filter((x) => x.id !== t.id))}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

// ----- text -----

/** Text that is marked lang="hi" when it holds Devanagari, so it is shaped and read out as Hindi. */
export function T({ children, as = "span", class: cls }: { children: string | null | undefined; as?: "span" | "p" | "strong" | "h1" | "h2"; class?: string }) {
  const Tag = as as unknown as (props: JSX.HTMLAttributes<HTMLElement>) => JSX.Element;
  return (
    <Tag class={cls} lang={isDevanagari(children) ? "hi" : undefined}>
      {children ?? ""}
    </Tag>
  );
}

const INLINE = /(\*[^*\n]+\*|_[^_\n]+_|~[^~\n]+~|https?:\/\/[^\s<>"]+)/g;

/** WhatsApp formatting (*bold*, _italic_, ~strike~, links), safely: never HTML from the text. */
export function WaText({ text }: { text: string }) {
  const lines = text.split("\n");
  return (
    <span class="wa-text" lang={isDevanagari(text) ? "hi" : undefined}>
      {lines.map((line, i) => (
        <>
          {i > 0 && <br />}
          {line.split(INLINE).map((part, j) => {
            if (j % 2 === 0) return part;
            if (part.startsWith("http")) {
              return (
                <a href={part} target="_blank" rel="noopener noreferrer">
                  {part}
                </a>
              );
            }
            const inner = part.slice(1, -1);
            if (part[0] === "*") return <strong>{inner}</strong>;
            if (part[0] === "_") return <em>{inner}</em>;
            return <s>{inner}</s>;
          })}
        </>
      ))}
    </span>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge st-${status}`}>{STATUS_LABEL[status] ?? status}</span>;
}

export function Spinner({ label = "Loading…" }: { label?: string }) {
  return (
    <div class="spinner" role="status">
      <span class="spin" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function ErrorBox({ error, retry }: { error: string; retry?: () => void }) {
  return (
    <div class="error-box" role="alert">
      <p>{error}</p>
      {retry && (
        <button type="button" class="btn" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** A modal dialog on the native <dialog>: focus is kept inside, Esc closes, focus returns where it was. */
export function Dialog({
  title,
  onClose,
  children,
  wide,
}: {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    const before = document.activeElement as HTMLElement | null;
    if (d && !d.open) d.showModal();
    const first = d?.querySelector<HTMLElement>("[autofocus], input, textarea, select, button:not(.dialog-close)");
    first?.focus();
    return () => before?.focus?.();
  }, []);
  return (
    <dialog
      ref={ref}
      class={wide ? "dialog wide" : "dialog"}
      aria-labelledby="dialog-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <div class="dialog-head">
        <h2 id="dialog-title">{title}</h2>
        <button type="button" class="icon-btn dialog-close" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </div>
      {children}
    </dialog>
  );
}

/** Sets the document title and moves focus to the page's heading after navigation (screen readers, keyboards). */
export function usePageTitle(title: string): (el: HTMLHeadingElement | null) => void {
  useEffect(() => {
    document.title = `${title} · Sales CRM`;
  }, [title]);
  return (el) => {
    if (el && document.activeElement === document.body) el.focus({ preventScroll: true });
  };
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}
