"""Typed commands: the only thing a parser (rules or GPT) may produce (../shared/contracts/parse.md)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, tzinfo
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Intent(StrEnum):
    """Every intent of the parse contract."""

    NEW_LEAD = "new_lead"
    QUALIFY_LEAD = "qualify_lead"
    LEAD_DETAILS = "lead_details"
    SCHEDULE_MEETING = "schedule_meeting"
    SCHEDULE_DEMO = "schedule_demo"
    RESCHEDULE_MEETING = "reschedule_meeting"
    RESCHEDULE_DEMO = "reschedule_demo"
    MEETING_DONE = "meeting_done"
    DEMO_DONE = "demo_done"
    ADD_ACTIVITY = "add_activity"
    REASSIGN_LEAD = "reassign_lead"
    MARK_WON = "mark_won"
    MARK_LOST = "mark_lost"
    LIST_TASKS = "list_tasks"
    LIST_LEADS = "list_leads"
    LEAD_INFO = "lead_info"
    # Beyond the shared corpus's contract (#13): conversations around the commands.
    CANCEL_MEETING = "cancel_meeting"
    CANCEL_DEMO = "cancel_demo"
    SET_REMINDER = "set_reminder"  # a personal reminder or a follow-up with a lead, at a moment
    TEAM_LEADS = "team_leads"  # a leader's view of the team's open leads (one member's, with `assignee`)
    TEAM_TASKS = "team_tasks"  # the team's meetings, demos and follow-ups on a day (`when`; one member's)
    PIPELINE_SUMMARY = "pipeline_summary"  # leads by status, new this week, overdue meetings/demos
    HELP = "help"
    UNKNOWN = "unknown"


DETAIL_FIELDS: tuple[str, ...] = (
    "address",
    "turnover",
    "current_system",
    "challenges",
    "industry",
    "team_size",
)
# The details the bot asks for after qualification (industry and team size are welcome, not required).
REQUIRED_DETAILS: tuple[str, ...] = ("address", "turnover", "current_system", "challenges")

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MAX = 500
MAX_ALSO = 3


def _clean(v: Any) -> Any:
    if isinstance(v, str):
        v = v.replace("\x00", "").strip()
        return v or None
    return v


class Details(BaseModel):
    """Qualification details, strings as written."""

    model_config = ConfigDict(extra="forbid")

    address: str | None = Field(None, max_length=_MAX)
    turnover: str | None = Field(None, max_length=_MAX)
    current_system: str | None = Field(None, max_length=_MAX)
    challenges: str | None = Field(None, max_length=2000)
    industry: str | None = Field(None, max_length=_MAX)
    team_size: str | None = Field(None, max_length=_MAX)

    _strip = field_validator("*", mode="before")(classmethod(lambda cls, v: _clean(v)))

    def given(self) -> dict[str, str]:
        """The details that have a value."""
        return {k: v for k, v in self.model_dump().items() if v}


class Command(BaseModel):
    """One parsed message: an intent plus the fields the message gave (never invented)."""

    model_config = ConfigDict(extra="forbid")

    intent: Intent
    company: str | None = Field(None, max_length=200)
    contact_name: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=20)
    email: str | None = Field(None, max_length=254)
    source: str | None = Field(None, max_length=100)
    assignee: str | None = Field(None, max_length=100)
    when: str | None = Field(None, max_length=40)
    note: str | None = Field(None, max_length=2000)
    details: Details | None = None
    # Further commands given in the same message, in order (`new lead …, demo kal 12 baje`); never nested deeper.
    also: list[Command] = Field(default_factory=list, max_length=MAX_ALSO)

    _strip = field_validator(
        "company", "contact_name", "phone", "email", "source", "assignee", "when", "note", mode="before"
    )(classmethod(lambda cls, v: _clean(v)))

    @field_validator("phone")
    @classmethod
    def _e164(cls, v: str | None) -> str | None:
        if v is not None and not _E164.match(v):
            raise ValueError("phone must be E.164, like +919876543210")
        return v

    @field_validator("email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", v):
            raise ValueError("email is not an address")
        return v

    @field_validator("when")
    @classmethod
    def _when(cls, v: str | None) -> str | None:
        if v is None:
            return v
        if _DATE.match(v):
            date.fromisoformat(v)
            return v
        parsed = datetime.fromisoformat(v)
        if parsed.tzinfo is None:
            raise ValueError("when must carry the zone's offset when it has a time")
        return v

    @field_validator("also")
    @classmethod
    def _flat_also(cls, v: list[Command]) -> list[Command]:
        if any(sub.also for sub in v):
            raise ValueError("a follow-on command carries no further commands")
        return v

    @field_validator("details")
    @classmethod
    def _empty_details(cls, v: Details | None) -> Details | None:
        return v if v is not None and v.given() else None

    @property
    def has_time(self) -> bool:
        """Whether `when` names a time of day (not only a date)."""
        return bool(self.when and "T" in self.when)

    def when_date(self) -> date | None:
        """The day `when` names."""
        return date.fromisoformat(self.when[:10]) if self.when else None

    def when_datetime(self, tz: tzinfo, default_time: time = time(11, 0)) -> datetime | None:
        """`when` as an aware datetime; a date alone gets `default_time` in the team's zone."""
        if not self.when:
            return None
        if self.has_time:
            return datetime.fromisoformat(self.when)
        return datetime.combine(date.fromisoformat(self.when), default_time, tzinfo=tz)

    def to_contract(self) -> dict[str, Any]:
        """The contract's JSON object: the intent plus only the keys with a value."""
        out: dict[str, Any] = {"intent": self.intent.value}
        for key in ("company", "contact_name", "phone", "email", "source", "assignee", "when", "note"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.details is not None:
            out["details"] = self.details.given()
        if self.also:
            out["also"] = [sub.to_contract() for sub in self.also]
        return out

    def commands(self) -> list[Command]:
        """This command and the ones given with it, in order, each without `also`."""
        head = self.model_copy(update={"also": []}) if self.also else self
        return [head, *self.also]


class Doubt(StrEnum):
    """Why a parser is unsure of a reading: what the bot would ask the sender about."""

    INTENT = "intent"  # which command this is
    COMPANY = "company"  # the lead is missing or may be misread
    PHONE = "phone"  # a number was written that is not a valid phone for its region
    ASSIGNEE = "assignee"  # an owner was named who is not on the team
    WHEN = "when"  # the moment is missing or already past
    FIELDS = "fields"  # some words could not be placed in any field


class ParseResult(BaseModel):
    """A command plus how it was obtained (for the hybrid parser, logging and benchmarks).

    `source` is who answered: "rules" (sure enough to act), "gpt" (the model), "ask" (nobody is sure: the bot asks
    the sender, echoing `command`, and writes nothing until the answer), or "fallback".
    """

    command: Command
    confidence: float = Field(ge=0.0, le=1.0)
    source: str = "rules"  # "rules" | "gpt" | "ask" | "fallback"
    doubts: list[Doubt] = Field(default_factory=list)
    # What was written but could not be used (e.g. the 9-digit "98765 1234"), keyed by the doubt it explains.
    rejected: dict[str, str] = Field(default_factory=dict)
    # What the confidence model read (the built-in parser's features; for training and --explain debugging).
    features: dict[str, float] = Field(default_factory=dict, exclude=True)
    tokens_used: int = 0
    model: str | None = None  # the GPT model or deployment, when one answered
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: float | None = None  # time spent waiting for the model
