// The dashboard changes nothing itself: every change is the WhatsApp command a salesperson would type, sent through
// POST /api/app, so history, notifications, Message Master and permissions behave exactly as on WhatsApp.

import type { Status } from "./types";

export type Field = "when" | "note" | "reason" | "assignee";

export interface Action {
  id: string;
  label: string;
  /** The status the lead moves to (board moves), if any. */
  status?: Status;
  /** What must be asked before the command can be written. */
  fields: Field[];
  /** Whether a field may be left empty. */
  optional?: Field[];
  build: (company: string, v: Partial<Record<Field, string>>) => string;
}

/** "3 Dec 2026 at 4:30 pm" from a datetime-local value ("2026-12-03T16:30"), which the parser reads. */
export function whenText(local: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(local);
  if (!m) return local;
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const h = Number(m[4]);
  const hh = h % 12 === 0 ? 12 : h % 12;
  return `${Number(m[3])} ${months[Number(m[2]) - 1]} ${m[1]} at ${hh}:${m[5]} ${h < 12 ? "am" : "pm"}`;
}

const withNote = (base: string, note?: string) => (note && note.trim() ? `${base}, ${oneLine(note)}` : base);

/** Commands are one line: a newline would read as a second message. */
export function oneLine(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

export const ACTIONS: Record<string, Action> = {
  qualify: {
    id: "qualify",
    label: "Mark qualified",
    status: "qualified",
    fields: [],
    build: (c) => `Lead qualified for ${c}`,
  },
  meeting: {
    id: "meeting",
    label: "Schedule meeting",
    status: "meeting_scheduled",
    fields: ["when"],
    build: (c, v) => `Schedule meeting with ${c} on ${whenText(v.when ?? "")}`,
  },
  meeting_done: {
    id: "meeting_done",
    label: "Meeting done",
    status: "meeting_done",
    fields: ["note"],
    optional: ["note"],
    build: (c, v) => withNote(`Meeting done for ${c}`, v.note),
  },
  demo: {
    id: "demo",
    label: "Schedule demo",
    status: "demo_scheduled",
    fields: ["when"],
    build: (c, v) => `Schedule demo for ${c} on ${whenText(v.when ?? "")}`,
  },
  demo_done: {
    id: "demo_done",
    label: "Demo done",
    status: "demo_done",
    fields: ["note"],
    optional: ["note"],
    build: (c, v) => withNote(`Demo done for ${c}`, v.note),
  },
  won: { id: "won", label: "Deal won", status: "won", fields: [], build: (c) => `Deal closed for ${c}` },
  lost: {
    id: "lost",
    label: "Mark lost",
    status: "lost",
    fields: ["reason"],
    build: (c, v) => `${c} lost - ${oneLine(v.reason ?? "")}`,
  },
  note: {
    id: "note",
    label: "Add note",
    fields: ["note"],
    build: (c, v) => `Add note for ${c}: ${oneLine(v.note ?? "")}`,
  },
  reassign: {
    id: "reassign",
    label: "Reassign",
    fields: ["assignee"],
    build: (c, v) => `Reassign ${c} to ${oneLine(v.assignee ?? "")}`,
  },
  reschedule_meeting: {
    id: "reschedule_meeting",
    label: "Reschedule meeting",
    fields: ["when"],
    build: (c, v) => `Reschedule meeting with ${c} on ${whenText(v.when ?? "")}`,
  },
  reschedule_demo: {
    id: "reschedule_demo",
    label: "Reschedule demo",
    fields: ["when"],
    build: (c, v) => `Reschedule demo for ${c} on ${whenText(v.when ?? "")}`,
  },
};

/** The action that moves a lead to a status on the board (none for "new": nothing moves a lead back). */
export function actionForStatus(status: Status): Action | null {
  return Object.values(ACTIONS).find((a) => a.status === status) ?? null;
}
