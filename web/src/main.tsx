// The dashboard's shell: log-in gate, header and navigation, the pages, the chat panel and toasts.

import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import "./styles.css";
import { expireLocally, logout, onSession, session, type Session } from "./api";
import { Board } from "./pages/Board";
import { ChatPanel } from "./pages/Chat";
import { Insights } from "./pages/Insights";
import { LeadPage } from "./pages/Lead";
import { Login } from "./pages/Login";
import { MessageMaster } from "./pages/MessageMaster";
import { Tasks } from "./pages/Tasks";
import { chat, pollChat, setChatOpen, useStore } from "./store";
import { navigate, Toasts, useRoute } from "./ui";

let returnTo: string | null = null;
const ROLE: Record<string, string> = { admin: "Admin", leader: "Team leader", member: "Member" };

function App() {
  const [s, setS] = useState<Session | null>(session());
  const [notice, setNotice] = useState<string | null>(null);
  const route = useRoute();
  const chatState = useStore(chat);

  useEffect(
    () =>
      onSession((next, why) => {
        setS(next);
        if (!next) {
          setNotice(why ?? null);
          // Ended by the server (expired, revoked): come back to the same page after logging in again.
          returnTo = why && location.hash && location.hash !== "#/login" ? location.hash : null;
          if (location.hash && location.hash !== "#/login") history.replaceState(null, "", "#/login");
        } else {
          setNotice(null);
          if (returnTo) navigate(returnTo, true);
          returnTo = null;
        }
      }),
    [],
  );
  useEffect(() => {
    const t = setInterval(expireLocally, 30_000);
    return () => clearInterval(t);
  }, []);
  // Unread replies show on the chat button even when the panel is closed.
  useEffect(() => {
    if (!s) return;
    pollChat().catch(() => undefined);
  }, [s?.user.id]);
  // After navigation, move focus to the new page's heading (keyboard and screen-reader users start there).
  const path = route.path.join("/");
  useEffect(() => {
    const h = document.querySelector<HTMLElement>("main h1");
    if (h && document.activeElement?.closest(".chat-panel") == null) h.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }, [path]);

  if (!s) return <Login notice={notice} />;
  const leaderOrAdmin = s.user.role !== "member";
  const [page, arg] = route.path;
  let content;
  switch (page) {
    case "lead":
      content = /^\d+$/.test(arg ?? "") ? <LeadPage key={arg} id={Number(arg)} /> : <Board route={route} />;
      break;
    case "tasks":
      content = <Tasks route={route} />;
      break;
    case "insights":
      content = <Insights route={route} />;
      break;
    case "message-master":
      content = leaderOrAdmin ? <MessageMaster /> : <Board route={route} />;
      break;
    default:
      content = <Board route={route} />;
  }
  const current = page === "lead" ? "board" : page || "board";
  const nav = [
    { id: "board", href: "#/board", label: "Pipeline", icon: "▦" },
    { id: "tasks", href: "#/tasks", label: "Tasks", icon: "✓" },
    { id: "insights", href: "#/insights", label: "Insights", icon: "▥" },
    ...(leaderOrAdmin ? [{ id: "message-master", href: "#/message-master", label: "Message Master", icon: "✉" }] : []),
  ];

  return (
    <div class={`shell${chatState.open ? " chat-open" : ""}`}>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.querySelector<HTMLElement>("main h1")?.focus(); }}>
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href="#/board" aria-label="Sales CRM, pipeline">
          <span class="brand-mark" aria-hidden="true">₹</span>
          <span class="brand-name">Sales CRM</span>
        </a>
        <nav class="nav" aria-label="Main">
          {nav.map((n) => (
            <a key={n.id} href={n.href} aria-current={current === n.id ? "page" : undefined}>
              <span class="nav-icon" aria-hidden="true">{n.icon}</span>
              <span class="nav-label">{n.label}</span>
            </a>
          ))}
          <button
            type="button"
            class="chat-toggle"
            aria-expanded={chatState.open}
            onClick={() => setChatOpen(!chatState.open)}
          >
            <span class="nav-icon" aria-hidden="true">💬</span>
            <span class="nav-label">Chat</span>
            {chatState.unread > 0 && <span class="unread" aria-label={`${chatState.unread} new`}>{chatState.unread}</span>}
          </button>
        </nav>
        <div class="me">
          <span class="me-name">
            {s.user.name}
            <small>{ROLE[s.user.role]}</small>
          </span>
          <button type="button" class="btn ghost small" onClick={() => logout()}>
            Log out
          </button>
        </div>
      </header>
      {content}
      <ChatPanel />
      <Toasts />
    </div>
  );
}

render(<App />, document.getElementById("app")!);
