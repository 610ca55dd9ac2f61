"""Pydantic models of every request and response, and the path parameters; FastAPI documents the API from these.

Request models (`Model`) ignore unknown fields, strip strings and refuse NUL characters and lone surrogates
anywhere (databases cannot store them). Response models (`Out`) read ORM rows directly (`from_attributes`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

MAX_INT32 = 2_147_483_647
MAX_INT64 = 9_223_372_036_854_775_807
LeadStatusName = Literal[
    "new", "qualified", "meeting_scheduled", "meeting_done", "demo_scheduled", "demo_done", "won", "lost"
]
RoleName = Literal["admin", "leader", "member"]
USERNAME_PATTERN = r"^[A-Za-z0-9._-]{1,64}$"
CURSOR_PATTERN = r"^[A-Za-z0-9_-]{1,200}$"


def _no_bad_characters(value: Any, depth: int = 0) -> None:
    """Raise ValueError for a NUL character or a lone surrogate anywhere in a request's values."""
    if depth > 32:
        raise ValueError("is nested too deeply")
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("contains a NUL character")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("contains an invalid character") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _no_bad_characters(key, depth + 1)
            _no_bad_characters(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _no_bad_characters(item, depth + 1)


class Model(BaseModel):
    """Base for request models: unknown fields are ignored, strings are stripped, NULs refused."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _storable(cls, data: Any) -> Any:
        _no_bad_characters(data)
        return data


class Out(BaseModel):
    """Base for response models: built from ORM rows by attribute."""

    model_config = ConfigDict(from_attributes=True)


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


UserId = Annotated[int, Path(ge=1, le=MAX_INT32, description="The user's numeric id"), BeforeValidator(_digits_only)]
LeadId = Annotated[int, Path(ge=1, le=MAX_INT64, description="The lead's numeric id"), BeforeValidator(_digits_only)]
Username = Annotated[str, Path(pattern=USERNAME_PATTERN, description="The user's username")]


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


class UserRef(Out):
    """A user as other objects mention them."""

    id: int
    username: str
    name: str


class UserOut(Out):
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


class LoginResponse(Out):
    """A bearer token for the Authorization header, its expiry and the user."""

    token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 (a scheme name, not a secret)
    expires_at: datetime
    user: UserOut


class LoggedOut(Out):
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


class AccountChange(Out):
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


class LeadOut(Out):
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


class LeadPage(Out):
    """One page of leads, newest activity first."""

    items: list[LeadOut]
    next_cursor: str | None


class PageQuery(Model):
    """Paging for a lead's activities."""

    limit: int = Field(100, ge=1, le=500)
    cursor: str | None = Field(None, pattern=CURSOR_PATTERN)


class ActivityOut(Out):
    """One activity logged on a lead."""

    id: int
    lead_id: int
    kind: str
    text: str
    data: dict[str, Any] | None
    actor: UserRef | None
    created_at: datetime


class ActivityPage(Out):
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


class HistoryEntry(Out):
    """One thing that happened to a lead."""

    at: datetime
    kind: HistoryKind
    subkind: str | None = Field(description="The activity's own kind (status_changed, reassigned…) or event kind")
    source: Literal["lead", "activity", "event", "outbox", "inbound"]
    source_id: int
    actor: UserRef | None = Field(description="Who did it; null for the bot and for outside contacts")
    text: str
    data: dict[str, Any] | None


class HistoryPage(Out):
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


class TaskOut(Out):
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


class TaskList(Out):
    """A user's tasks in a date range, in time order."""

    user: UserRef
    date_from: date
    date_to: date
    items: list[TaskOut]
