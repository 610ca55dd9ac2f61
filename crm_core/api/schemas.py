"""Pydantic models of every request and response; the OpenAPI document is generated from these."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

MAX_INT32 = 2_147_483_647
MAX_INT64 = 9_223_372_036_854_775_807
LeadStatusName = Literal[
    "new", "qualified", "meeting_scheduled", "meeting_done", "demo_scheduled", "demo_done", "won", "lost"
]
RoleName = Literal["admin", "leader", "member"]
USERNAME_PATTERN = r"^[A-Za-z0-9._-]{1,64}$"
CURSOR_PATTERN = r"^[A-Za-z0-9_-]{1,200}$"


class Model(BaseModel):
    """Base for request models: unknown fields are ignored, strings are stripped."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


# ----- errors -----


class ErrorBody(BaseModel):
    """What went wrong: a stable machine code and a sentence for people."""

    code: str = Field(examples=["validation_error"])
    message: str


class ErrorResponse(BaseModel):
    """Every error answer."""

    error: ErrorBody


# ----- path parameters -----


def _digits_only(value: Any) -> Any:
    """Path ids are plain ASCII digits: no signs, spaces, exponents or other scripts' digits."""
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise ValueError("must be a positive whole number")
    return value


Id32 = Annotated[int, Field(ge=1, le=MAX_INT32), BeforeValidator(_digits_only)]
Id64 = Annotated[int, Field(ge=1, le=MAX_INT64), BeforeValidator(_digits_only)]


class UserIdPath(Model):
    """A user id in the path."""

    user_id: Id32 = Field(description="The user's numeric id")


class UsernamePath(Model):
    """A username in the path."""

    username: str = Field(pattern=USERNAME_PATTERN, description="The user's username")


class LeadIdPath(Model):
    """A lead id in the path."""

    lead_id: Id64 = Field(description="The lead's numeric id")


# ----- accounts -----


class RegisterRequest(Model):
    """A new user; leaders may only add members, who join the leader's own team."""

    username: str = Field(pattern=USERNAME_PATTERN)
    name: str = Field(min_length=1, max_length=120)
    phone: str = Field(min_length=5, max_length=40, description="Any written form; stored as E.164")
    email: str | None = Field(None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    role: RoleName = "member"
    leader: str | None = Field(None, pattern=USERNAME_PATTERN, description="The team leader's username")
    team: str | None = Field(None, min_length=1, max_length=64)
    password: str | None = Field(None, min_length=8, max_length=128, description="Needed to log in to the app")


class LoginRequest(Model):
    """Credentials: a username (or phone number) and the password."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

    username: str | None = Field(None, min_length=1, max_length=64, description="Username, or a phone number")
    phone: str | None = Field(None, min_length=5, max_length=40)
    password: str = Field(min_length=1, max_length=1024)


class UserRef(BaseModel):
    """A user as other objects mention them."""

    id: int
    username: str
    name: str


class UserOut(BaseModel):
    """A user account."""

    id: int
    username: str
    name: str
    role: RoleName
    phone: str
    email: str | None
    team: str | None
    leader_id: int | None
    active: bool
    created_at: datetime


class LoginResponse(BaseModel):
    """A bearer token for the Authorization header, its expiry and the user."""

    token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 (a scheme name, not a secret)
    expires_at: datetime
    user: UserOut


class LoggedOut(BaseModel):
    """Every token of the user has stopped working (all their sessions, on every device)."""

    logged_out: Literal[True] = True


class ChangePasswordRequest(Model):
    """Change one's own password: the current one, then the new one."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=8, max_length=128)


class SetPasswordRequest(Model):
    """An admin sets another user's password."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

    password: str = Field(min_length=8, max_length=128)


class AccountChange(BaseModel):
    """A user after an admin action, with their lock state."""

    user: UserOut
    action: Literal["unlock", "password", "deactivate", "activate"]
    locked_until: datetime | None = Field(description="When the user's login lock ends; null when not locked")
    sessions_ended: bool = Field(description="Whether every token the user held stopped working")


# ----- leads and activities -----


class LeadsQuery(Model):
    """Filters and paging for a user's leads."""

    status: LeadStatusName | None = None
    q: str | None = Field(None, min_length=1, max_length=100, description="Text search: company, contact, phone")
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = Field(None, pattern=CURSOR_PATTERN, description="next_cursor of the previous page")


class LeadOut(BaseModel):
    """A lead with its owner."""

    id: int
    company: str
    contact_name: str | None
    phone: str | None
    email: str | None
    source: str | None
    status: LeadStatusName
    owner: UserRef
    creator_id: int
    address: str | None
    turnover: str | None
    current_system: str | None
    challenges: str | None
    industry: str | None
    team_size: str | None
    lost_reason: str | None
    created_at: datetime
    updated_at: datetime
    last_activity_at: datetime


class LeadPage(BaseModel):
    """One page of leads, newest activity first."""

    items: list[LeadOut]
    next_cursor: str | None


class PageQuery(Model):
    """Paging for a lead's activities."""

    limit: int = Field(100, ge=1, le=500)
    cursor: str | None = Field(None, pattern=CURSOR_PATTERN)


class ActivityOut(BaseModel):
    """One activity logged on a lead."""

    id: int
    lead_id: int
    kind: str
    text: str
    data: dict[str, Any] | None
    actor: UserRef | None
    created_at: datetime


class ActivityPage(BaseModel):
    """One page of a lead's activities, oldest first."""

    items: list[ActivityOut]
    next_cursor: str | None


# ----- history -----


class HistoryQuery(Model):
    """Paging and direction for a lead's history."""

    order: Literal["asc", "desc"] = "asc"
    limit: int = Field(200, ge=1, le=1000)
    cursor: str | None = Field(None, pattern=CURSOR_PATTERN)


HistoryKind = Literal[
    "lead_created",
    "activity",
    "event_scheduled",
    "event_done",
    "event_cancelled",
    "reminder_scheduled",
    "reminder_sent",
    "reminder_cancelled",
    "reminder_failed",
    "message_in",
    "message_out",
]


class HistoryEntry(BaseModel):
    """One thing that happened to a lead."""

    at: datetime
    kind: HistoryKind
    subkind: str | None = Field(description="The activity's own kind (status_changed, reassigned…) or event kind")
    source: Literal["lead", "activity", "event", "outbox", "inbound"]
    source_id: int
    actor: UserRef | None = Field(description="Who did it; null for the bot and for outside contacts")
    text: str
    data: dict[str, Any] | None


class HistoryPage(BaseModel):
    """A lead and one page of its single chronological history stream."""

    lead_id: int
    company: str
    items: list[HistoryEntry]
    next_cursor: str | None


# ----- tasks -----


class TasksQuery(Model):
    """The date range (team time zone, inclusive); default today to 7 days ahead."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    date_from: date | None = Field(None, alias="from", description="First day, YYYY-MM-DD (years 2000-2100)")
    date_to: date | None = Field(None, alias="to", description="Last day, YYYY-MM-DD (at most 92 days after from)")

    @field_validator("date_from", "date_to")
    @classmethod
    def _sane_year(cls, v: date | None) -> date | None:
        if v is not None and not 2000 <= v.year <= 2100:
            raise ValueError("dates must be between the years 2000 and 2100")
        return v


class TaskOut(BaseModel):
    """A meeting, demo or follow-up reminder with its lead's company."""

    type: Literal["meeting", "demo", "follow_up"]
    at: datetime
    has_time: bool
    lead_id: int | None
    company: str | None
    status: str
    event_id: int | None
    reminder_id: int | None
    text: str | None
    assignee: UserRef


class TaskList(BaseModel):
    """A user's tasks in a date range, in time order."""

    user: UserRef
    date_from: date
    date_to: date
    items: list[TaskOut]


# ----- pipeline -----


class PipelineQuery(Model):
    """How many days without activity make a lead stale."""

    stale_days: int = Field(7, ge=1, le=365)


class OwnerCounts(BaseModel):
    """One owner's open and closed leads by status."""

    owner: UserRef
    total: int
    by_status: dict[str, int]


class OverdueEvent(BaseModel):
    """A meeting or demo whose time has passed with no outcome recorded."""

    event_id: int
    kind: str
    starts_at: datetime
    lead_id: int
    company: str
    assignee: UserRef


class OverdueFollowUp(BaseModel):
    """A follow-up reminder that fell due with no activity on the lead since."""

    reminder_id: int
    due_at: datetime
    lead_id: int
    company: str
    user: UserRef | None
    text: str


class StaleLead(BaseModel):
    """An open lead with no activity for stale_days."""

    lead_id: int
    company: str
    status: LeadStatusName
    owner: UserRef
    last_activity_at: datetime


class Pipeline(BaseModel):
    """The management view: counts by status and owner, overdue work, stale leads."""

    scope: Literal["team", "all"]
    generated_at: datetime
    stale_days: int
    total: int
    by_status: dict[str, int]
    by_owner: list[OwnerCounts]
    overdue_events: list[OverdueEvent]
    overdue_follow_ups: list[OverdueFollowUp]
    stale_leads: list[StaleLead]


# ----- app inbox and admin -----


class AppMessageRequest(Model):
    """A command typed in the app, sent as the logged-in user."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

    text: str = Field(min_length=1, max_length=4000)


class AppMessageAccepted(BaseModel):
    """The queued message's id."""

    message_id: str


class InboxQuery(Model):
    """Messages after a given id (0 for the beginning)."""

    after: int = Field(0, ge=0, le=MAX_INT64)
    limit: int = Field(50, ge=1, le=200)


class InboxMessage(BaseModel):
    """A message the bot wrote to the app user."""

    id: int
    kind: str
    body: str
    status: str
    lead_id: int | None
    attachment_url: str | None
    attachment_filename: str | None
    created_at: datetime
    due_at: datetime


class InboxPage(BaseModel):
    """Messages in id order; pass next_after as `after` to poll for newer ones."""

    items: list[InboxMessage]
    next_after: int


class DeadQuery(Model):
    """Paging for dead outbox rows (newest first)."""

    limit: int = Field(50, ge=1, le=200)
    before: int | None = Field(None, ge=1, le=MAX_INT64, description="Only rows with a smaller id")


class DeadMessage(BaseModel):
    """An outgoing message that gave up after its retries, with the last error."""

    id: int
    channel: str
    kind: str
    recipient: str
    recipient_user_id: int | None
    body: str
    attempts: int
    last_error: str | None
    lead_id: int | None
    due_at: datetime
    created_at: datetime


class DeadPage(BaseModel):
    """Dead outbox rows, newest first."""

    items: list[DeadMessage]
    next_before: int | None
