"""Nurture fixtures: a small team with a lead after its demo, the default sequence, and a sweep helper."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from crm_core.accounts import NewUser, create_user
from crm_core.clock import FixedClock
from crm_core.composition import Container, set_container
from crm_core.db.models import Event, Lead, Outbox, User
from crm_core.db.session import Database
from crm_core.settings import Settings
from tests.conftest import IST, FakeChannel

AMIT = "+919800000011"
NEHA = "+919800000012"
PRIYA = "+919800000010"
ADMIN = "+919800000009"


@dataclass
class Team:
    """Users by username and the lead Sharma Traders (owned by Amit)."""

    db: Database
    users: dict[str, User] = field(default_factory=dict)
    lead: Lead | None = None
    demo_id: int = 0

    def user(self, name: str) -> User:
        return self.users[name]

    def reminders(self, status: str | None = None) -> list[Outbox]:
        with self.db.transaction() as s:
            stmt = select(Outbox).where(Outbox.kind == "reminder").order_by(Outbox.due_at, Outbox.id)
            if status:
                stmt = stmt.where(Outbox.status == status)
            return list(s.scalars(stmt))

    def forwards(self, status: str | None = None) -> list[Outbox]:
        """The texts to forward that go with the follow-up headers, in the same order."""
        with self.db.transaction() as s:
            stmt = select(Outbox).where(Outbox.kind == "forward").order_by(Outbox.due_at, Outbox.id)
            if status:
                stmt = stmt.where(Outbox.status == status)
            return list(s.scalars(stmt))


def make_team(db: Database, now: datetime) -> Team:
    """Create an admin, a leader (Priya), two members (Amit, Neha), Sharma Traders for Amit, the default steps."""
    from crm_core.nurture.templates import ensure_default_sequence

    team = Team(db)
    with db.transaction() as s:
        for username, name, phone, role, leader in (
            ("admin", "Asha Admin", ADMIN, "admin", None),
            ("priya", "Priya", PRIYA, "leader", None),
            ("amit", "Amit Kumar", AMIT, "member", "priya"),
            ("neha", "Neha Singh", NEHA, "member", "priya"),
        ):
            team.users[username] = create_user(
                s, NewUser(username=username, name=name, phone=phone, role=role, leader=leader)
            )
        lead = Lead(
            company="Sharma Traders",
            company_key="sharma traders",
            contact_name="Rakesh Sharma",
            phone="+919876543210",
            status="demo_done",
            owner_id=team.users["amit"].id,
            creator_id=team.users["priya"].id,
            created_at=now - timedelta(days=5),
            updated_at=now,
            last_activity_at=now,
        )
        s.add(lead)
        s.flush()
        demo = Event(
            lead_id=lead.id,
            kind="demo",
            starts_at=now - timedelta(hours=2),
            assignee_id=team.users["amit"].id,
            status="done",
            created_at=now - timedelta(days=1),
            updated_at=now,
            completed_at=now,
        )
        s.add(demo)
        ensure_default_sequence(s, now)
        s.flush()
        team.lead = lead
        team.demo_id = demo.id
    return team


@pytest.fixture
def team(db: Database, clock: FixedClock) -> Team:
    """The seeded team on the SQLite test database."""
    return make_team(db, clock.now())


@pytest.fixture
def quiet_settings(settings: Settings) -> Settings:
    """Test settings with the digest off (sequence tests count only reminders)."""
    return settings.model_copy(update={"digest_enabled": False})


@pytest.fixture
def nurture_container(
    quiet_settings: Settings, db: Database, clock: FixedClock, fake_channel: FakeChannel
) -> Iterator[Container]:
    """The process container with the digest off, the fixed clock and the fake channel."""
    c = Container(quiet_settings, database=db, clock=clock, whatsapp=fake_channel)
    set_container(c)
    yield c
    set_container(None)


def local(*args: int) -> datetime:
    """A moment in India time."""
    return datetime(*args, tzinfo=IST)  # type: ignore[misc]


def start(team: Team, settings: Settings, now: datetime, demo_event_id: int | None = -1) -> int:
    """Mark the demo done (nurture side) at `now`: schedule the sequence in its own transaction."""
    from crm_core.nurture.sequence import start_sequence

    with team.db.transaction() as s:
        lead = s.get(Lead, team.lead.id)  # type: ignore[union-attr]
        amit = s.get(User, team.user("amit").id)
        assert lead is not None and amit is not None
        return start_sequence(
            s,
            lead=lead,
            assignee=amit,
            actor_id=amit.id,
            demo_event_id=team.demo_id if demo_event_id == -1 else demo_event_id,
            now=now,
            settings=settings,
        )


NOW_FIXED = datetime(2026, 11, 24, 10, 0, tzinfo=IST)
