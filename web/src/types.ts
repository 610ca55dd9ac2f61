// The shapes of the public REST API (docs/api.md, /api/openapi.json). Only what the dashboard reads.

export type Role = "admin" | "leader" | "member";

export const STATUSES = [
  "new",
  "qualified",
  "meeting_scheduled",
  "meeting_done",
  "demo_scheduled",
  "demo_done",
  "won",
  "lost",
] as const;
export type Status = (typeof STATUSES)[number];

export interface UserRef {
  id: number;
  username: string;
  name: string;
}

export interface User extends UserRef {
  role: Role;
  phone: string;
  email: string | null;
  team: string | null;
  leader_id: number | null;
  active: boolean;
  created_at: string;
}

export interface LoginResponse {
  token: string;
  token_type: "Bearer";
  expires_at: string;
  user: User;
}

export interface Lead {
  id: number;
  company: string;
  contact_name: string | null;
  phone: string | null;
  email: string | null;
  source: string | null;
  status: Status;
  owner: UserRef;
  creator_id: number;
  address: string | null;
  turnover: string | null;
  current_system: string | null;
  challenges: string | null;
  industry: string | null;
  team_size: string | null;
  lost_reason: string | null;
  created_at: string;
  updated_at: string;
  last_activity_at: string;
}

export interface LeadPage {
  items: Lead[];
  next_cursor: string | null;
}

export type HistoryKind =
  | "lead_created"
  | "activity"
  | "event_scheduled"
  | "event_done"
  | "event_cancelled"
  | "reminder_scheduled"
  | "reminder_sent"
  | "reminder_cancelled"
  | "reminder_failed"
  | "message_in"
  | "message_out";

export interface HistoryEntry {
  at: string;
  kind: HistoryKind;
  subkind: string | null;
  source: "lead" | "activity" | "event" | "outbox" | "inbound";
  source_id: number;
  actor: UserRef | null;
  text: string;
  data: Record<string, unknown> | null;
}

export interface HistoryPage {
  lead_id: number;
  company: string;
  items: HistoryEntry[];
  next_cursor: string | null;
}

export interface Task {
  type: "meeting" | "demo" | "follow_up";
  at: string;
  has_time: boolean;
  lead_id: number | null;
  company: string | null;
  status: string;
  event_id: number | null;
  reminder_id: number | null;
  text: string | null;
  assignee: UserRef;
}

export interface TaskList {
  user: UserRef;
  date_from: string;
  date_to: string;
  items: Task[];
}

export interface OwnerCounts {
  owner: UserRef;
  total: number;
  by_status: Record<string, number>;
}

export interface Pipeline {
  scope: "team" | "all";
  generated_at: string;
  stale_days: number;
  total: number;
  by_status: Record<string, number>;
  by_owner: OwnerCounts[];
  overdue_events: {
    event_id: number;
    kind: string;
    starts_at: string;
    lead_id: number;
    company: string;
    assignee: UserRef;
  }[];
  overdue_follow_ups: {
    reminder_id: number;
    due_at: string;
    lead_id: number;
    company: string;
    user: UserRef | null;
    text: string;
  }[];
  stale_leads: { lead_id: number; company: string; status: Status; owner: UserRef; last_activity_at: string }[];
}

export interface InboxMessage {
  id: number;
  kind: string;
  body: string;
  status: string;
  lead_id: number | null;
  attachment_url: string | null;
  attachment_filename: string | null;
  created_at: string;
  due_at: string;
}

export interface InboxPage {
  items: InboxMessage[];
  next_after: number;
}

export interface Step {
  id: number;
  team_leader_id: number | null;
  sequence: string;
  step: number;
  day: number;
  time: string;
  text: string;
  attachment_url: string | null;
  filename: string | null;
  mime: string | null;
  active: boolean;
  created_at: string | null;
  updated_at: string | null;
}
