"""Workflow test kit: a team of users, a fake parser, a fake nurture port, and a `bot` that sends messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select

from crm_core.accounts import NewUser, create_user
from crm_core.clock import FixedClock
from crm_core.commands import Command, ParseResult
from crm_core.db.models import Activity, ConversationState, Event, Lead, Outbox, User
from crm_core.db.session import Database
from crm_core.handlers import RespondOutcome, respond
from crm_core.handlers.context import HandlerContext
from crm_core.ports import ParseContext
from crm_core.settings import Settings

TEAM = (
    NewUser("asha", "Asha Admin", "+919876500001", role="admin"),
    NewUser("lata", "Lata Leader", "+919876500002", role="leader"),
    NewUser("priya", "Priya Sharma", "+919876500003", leader="lata"),
    NewUser("amit", "Amit Verma", "+919876500004", leader="lata"),
    NewUser("vikram", "Vikram Leader", "+919876500005", role="leader"),
    NewUser("ravi", "Ravi Kumar", "+919876500006", leader="vikram"),
)


def cmd(intent: str, **fields: Any) -> Command:
    """A command as a parser would produce it."""
    return Command.model_validate({"intent": intent, **fields})


class FakeParser:
    """Returns the given command (unknown when none) and records what it was asked."""

    def __init__(self, command: Command | None) -> None:
        self.command = command or cmd("unknown")
        self.calls: list[tuple[str, ParseContext]] = []

    def parse(self, text: str, ctx: ParseContext) -> ParseResult:
        """Answer with the preset command."""
        self.calls.append((text, ctx))
        return ParseResult(command=self.command, confidence=0.99, source="rules")


@dataclass
class FakeNurture:
    """The Nurture port (crm_core.ports) as a recorder: handlers get it through their context."""

    started: list[dict[str, Any]] = field(default_factory=list)
    moved: list[dict[str, Any]] = field(default_factory=list)
    cancelled: list[dict[str, Any]] = field(default_factory=list)
    pending: int = 3

    def start_sequence(self, session: Any, **kw: Any) -> list[int]:
        self.started.append(kw)
        return list(range(self.pending))

    def move_pending(self, session: Any, **kw: Any) -> int:
        self.moved.append(kw)
        return self.pending

    def cancel_pending(self, session: Any, **kw: Any) -> int:
        self.cancelled.append(kw)
        return self.pending


class Bot:
    """Sends messages as team members, one transaction each, and reads back what happened."""

    def __init__(self, db: Database, clock: FixedClock, settings: Settings, nurture: FakeNurture | None = None) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings
        self.nurture = nurture  # None: the real crm_core.nurture.sequence
        self.parser: FakeParser | None = None

    def say(self, username: str, text: str, command: Command | None = None, parser: Any = None) -> RespondOutcome:
        """One message from a user, parsed as `command` (or by `parser`), in its own transaction."""
        self.parser = parser or FakeParser(command)
        with self.db.transaction() as s:
            sender = s.scalar(select(User).where(User.username == username))
            assert sender is not None
            ctx = HandlerContext(session=s, sender=sender, clock=self.clock, settings=self.settings)
            if self.nurture is not None:
                ctx.nurture = self.nurture
            return respond(ctx, text, self.parser)

    def rows(self, username: str, kind: str | None = None) -> list[Outbox]:
        """Outbox rows to a user (optionally of one kind), oldest first."""
        with self.db.transaction() as s:
            user = s.scalar(select(User).where(User.username == username))
            assert user is not None
            stmt = select(Outbox).where(Outbox.recipient_user_id == user.id)
            if kind:
                stmt = stmt.where(Outbox.kind == kind)
            return list(s.scalars(stmt.order_by(Outbox.id)))

    def replies(self, username: str) -> list[str]:
        """Replies to a user, oldest first."""
        return [r.body for r in self.rows(username, "reply")]

    def last(self, username: str) -> str:
        """The last reply to a user."""
        replies = self.replies(username)
        assert replies, f"no reply to {username}"
        return replies[-1]

    def notes(self, username: str) -> list[str]:
        """Notifications to a user."""
        return [r.body for r in self.rows(username, "notification")]

    def lead(self, company: str) -> Lead:
        """A lead by exact company name."""
        with self.db.transaction() as s:
            lead = s.scalar(select(Lead).where(Lead.company == company))
            assert lead is not None, company
            return lead

    def leads(self) -> list[Lead]:
        """Every lead."""
        with self.db.transaction() as s:
            return list(s.scalars(select(Lead).order_by(Lead.id)))

    def events(self, lead_id: int) -> list[Event]:
        """A lead's events."""
        with self.db.transaction() as s:
            return list(s.scalars(select(Event).where(Event.lead_id == lead_id).order_by(Event.id)))

    def activities(self, lead_id: int) -> list[Activity]:
        """A lead's history."""
        with self.db.transaction() as s:
            return list(s.scalars(select(Activity).where(Activity.lead_id == lead_id).order_by(Activity.id)))

    def state(self, username: str) -> ConversationState | None:
        """A user's conversation state row."""
        with self.db.transaction() as s:
            user = s.scalar(select(User).where(User.username == username))
            assert user is not None
            return s.scalar(select(ConversationState).where(ConversationState.user_id == user.id))

    def user(self, username: str) -> User:
        """A user by username."""
        with self.db.transaction() as s:
            user = s.scalar(select(User).where(User.username == username))
            assert user is not None
            return user

    def count_outbox(self) -> int:
        """Every outbox row."""
        with self.db.transaction() as s:
            return len(list(s.scalars(select(Outbox.id))))

    def new_lead(self, username: str, company: str, **fields: Any) -> Lead:
        """Create a lead through the workflow and return it."""
        self.say(username, f"new lead {company}", cmd("new_lead", company=company, **fields))
        return self.lead(company)


@pytest.fixture
def nurture() -> FakeNurture:
    """A fake Nurture port (unit tests never depend on the real sequence)."""
    return FakeNurture()


def make_bot(db: Database, clock: FixedClock, settings: Settings, nurture: FakeNurture | None = None) -> Bot:
    """The team (admin asha; leader lata with priya and amit; leader vikram with ravi) in db, and a bot (with the
    real nurture unless a fake is given)."""
    with db.transaction() as s:
        for new in TEAM:
            create_user(s, new)
    return Bot(db, clock, settings, nurture)


@pytest.fixture
def bot(db: Database, clock: FixedClock, settings: Settings, nurture: FakeNurture) -> Bot:
    """The team on SQLite and a bot to talk to, with the fake nurture."""
    return make_bot(db, clock, settings, nurture)
