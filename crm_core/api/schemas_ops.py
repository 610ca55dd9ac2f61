"""Response and query models of the management views (pipeline, dead outbox) and the app inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, Field

from crm_core.api.schemas import MAX_INT64, LeadStatusName, Model, Out, UserRef

# ----- pipeline -----


class PipelineQuery(Model):
    """How many days without activity make a lead stale."""

    stale_days: int = Field(7, ge=1, le=365)


class OwnerCounts(Out):
    """One owner's open and closed leads by status."""

    owner: UserRef
    total: int
    by_status: dict[str, int]


class OverdueEvent(Out):
    """A meeting or demo whose time has passed with no outcome recorded."""

    event_id: int
    kind: str
    starts_at: datetime
    lead_id: int
    company: str
    assignee: UserRef


class OverdueFollowUp(Out):
    """A follow-up reminder that fell due with no activity on the lead since."""

    reminder_id: int
    due_at: datetime
    lead_id: int
    company: str
    user: UserRef | None
    text: str


class StaleLead(Out):
    """An open lead with no activity for stale_days."""

    lead_id: int
    company: str
    status: LeadStatusName
    owner: UserRef
    last_activity_at: datetime


class Pipeline(Out):
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


class AppMessageAccepted(Out):
    """The queued message's id."""

    message_id: str


class InboxQuery(Model):
    """Messages after a given id (0 for the beginning)."""

    after: int = Field(0, ge=0, le=MAX_INT64)
    limit: int = Field(50, ge=1, le=200)


class InboxMessage(Out):
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


class InboxPage(Out):
    """Messages in id order; pass next_after as `after` to poll for newer ones."""

    items: list[InboxMessage]
    next_after: int


class DeadQuery(Model):
    """Paging for dead outbox rows (newest first)."""

    limit: int = Field(50, ge=1, le=200)
    before: int | None = Field(None, ge=1, le=MAX_INT64, description="Only rows with a smaller id")


class DeadMessage(Out):
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


class DeadPage(Out):
    """Dead outbox rows, newest first."""

    items: list[DeadMessage]
    next_before: int | None
