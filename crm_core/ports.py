"""Ports: what the core needs from the outside world. Real adapters and fakes implement these."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from crm_core.commands import ParseResult

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from crm_core.db.models import Lead, User
    from crm_core.settings import Settings


@dataclass(frozen=True)
class OutgoingMessage:
    """What a channel is asked to send."""

    to: str  # E.164 phone for WhatsApp, user id for the app inbox
    text: str
    attachment_url: str | None = None
    attachment_filename: str | None = None
    attachment_mime: str | None = None
    outbox_id: int | None = None


@dataclass(frozen=True)
class SendResult:
    """A channel's answer: the provider's message id when it has one."""

    provider_message_id: str | None = None


class SendError(Exception):
    """A send failed; `permanent` says whether retrying can help."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


class Channel(Protocol):
    """Sends a message to a person (Maytapi, console, app inbox, fake)."""

    def send(self, message: OutgoingMessage) -> SendResult:
        """Send, or raise SendError."""
        ...


class InboundQueue(Protocol):
    """The queue between the HTTP triggers and the queue function."""

    def send(self, body: str, *, delay_seconds: int = 0) -> None:
        """Enqueue one message body (an envelope's JSON); visible after delay_seconds."""
        ...


@dataclass(frozen=True)
class ParseContext:
    """What a parser may know besides the text: the moment, the zone, the team and the sender's leads."""

    now: datetime
    tz: ZoneInfo
    sender_name: str | None = None
    team_names: tuple[str, ...] = ()
    recent_leads: tuple[str, ...] = ()
    # "awaiting": what the bot waits for from the sender (the conversation state: details, choose_lead,
    # confirm_duplicate); "pending": what that is about, in a few words (the lead, the command, the choices).
    extra: dict[str, str] = field(default_factory=dict)


class Parser(Protocol):
    """Turns a message into one typed command."""

    def parse(self, text: str, ctx: ParseContext) -> ParseResult:
        """Parse one message."""
        ...


@runtime_checkable
class QuickParser(Parser, Protocol):
    """A parser that can tell, cheaply and without any network call, whether it needs its slow part (a model).

    The pipeline calls `parse_quick` under the sender's lock and, when it answers None, calls `parse` only after
    the transaction is closed (crm_core.pipeline.process). A parser without it is always called outside.
    """

    def parse_quick(self, text: str, ctx: ParseContext) -> ParseResult | None:
        """The answer when no model is needed (milliseconds, no I/O), else None."""
        ...


class Nurture(Protocol):
    """The post-demo follow-ups the lead workflows start, move and cancel (real: crm_core.nurture.sequence)."""

    def start_sequence(
        self,
        session: Session,
        *,
        lead: Lead,
        assignee: User,
        actor_id: int | None,
        demo_event_id: int | None,
        now: datetime,
        settings: Settings,
    ) -> int:
        """Schedule the assignee's reminders for a demo done; how many were scheduled."""
        ...

    def move_pending(
        self, session: Session, *, lead: Lead, new_owner: User, actor_id: int | None, now: datetime
    ) -> int:
        """Re-address the lead's pending reminders to its new owner; how many moved."""
        ...

    def cancel_pending(self, session: Session, *, lead: Lead, actor_id: int | None, now: datetime, reason: str) -> int:
        """Cancel the lead's pending reminders; how many were cancelled."""
        ...
