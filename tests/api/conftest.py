"""API fixtures: a client over the Functions app, a recording queue, instant login throttling, a seeded team."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from crm_core.accounts import NewUser, create_user
from crm_core.composition import Container, set_container
from crm_core.db.models import Lead, User
from crm_core.security import throttle as throttle_mod
from crm_core.security.tokens import issue_token
from tests.api.client import ApiClient


class RecordingQueue:
    """An inbound queue that keeps what it was sent."""

    def __init__(self) -> None:
        self.bodies: list[str] = []

    def send(self, body: str, *, delay_seconds: int = 0) -> None:
        self.bodies.append(body)


@pytest.fixture
def queue() -> RecordingQueue:
    return RecordingQueue()


@pytest.fixture(autouse=True)
def instant_throttle(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Login delays are recorded, not slept."""
    slept: list[float] = []
    monkeypatch.setattr(throttle_mod.throttle, "sleep", slept.append)
    return slept


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id with tiny cost parameters: the same code path, without 64 MiB per hash in every test."""
    from argon2 import PasswordHasher

    from crm_core.security import passwords

    hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", lambda: hasher)


@pytest.fixture
def api_container(settings, db, clock, fake_channel, queue) -> Iterator[Container]:
    c = Container(settings, database=db, clock=clock, whatsapp=fake_channel, queue=queue)
    set_container(c)
    yield c
    set_container(None)


@pytest.fixture
def client(api_container) -> ApiClient:
    return ApiClient()


@dataclass
class World:
    """A seeded company: an admin; leader1 with members m1a, m1b; leader2 with member m2a; a lead each."""

    container: Container
    users: dict[str, User] = field(default_factory=dict)
    leads: dict[str, Lead] = field(default_factory=dict)

    def token(self, username: str) -> str:
        """A token for the user as seeded (no database access)."""
        u = self.users[username]
        return issue_token(u.id, u.password_hash, self.container.settings, self.container.clock.now(), u.token_version)[0]

    def fresh_token(self, username: str) -> str:
        """A token for the user as the database has them now (after a logout or a password change)."""
        with self.container.database.transaction() as s:
            u = s.get(User, self.users[username].id)
            assert u is not None
            return issue_token(u.id, u.password_hash, self.container.settings, self.container.clock.now(), u.token_version)[0]

    def add_lead(self, key: str, owner: str, company: str, *, creator: str | None = None, **kw) -> Lead:
        now = self.container.clock.now()
        with self.container.database.transaction() as s:
            lead = Lead(
                company=company,
                company_key=company.lower(),
                owner_id=self.users[owner].id,
                creator_id=self.users[creator or owner].id,
                created_at=kw.pop("created_at", now - timedelta(days=3)),
                updated_at=now,
                last_activity_at=kw.pop("last_activity_at", now - timedelta(days=1)),
                **kw,
            )
            s.add(lead)
        self.leads[key] = lead
        return lead


SEEDED_PASSWORD = "seeded password 123"
PASSWORD_M1A = "correct horse battery"


def seed_world(container: Container, passwords: bool = False) -> World:
    """Everyone has SEEDED_PASSWORD (a token needs a password); with passwords=True m1a has PASSWORD_M1A and m1b
    has none."""
    w = World(container)
    specs = [
        ("admin", "Asha Admin", "+919800000001", "admin", None),
        ("leader1", "Lata Leader", "+919800000002", "leader", None),
        ("leader2", "Lalit Leader", "+919800000003", "leader", None),
        ("m1a", "Mohan One", "+919800000004", "member", "leader1"),
        ("m1b", "Meera One", "+919800000005", "member", "leader1"),
        ("m2a", "Manoj Two", "+919800000006", "member", "leader2"),
    ]
    with container.database.transaction() as s:
        for username, name, phone, role, leader in specs:
            pw: str | None = SEEDED_PASSWORD
            if passwords and username == "m1a":
                pw = PASSWORD_M1A
            elif passwords and username == "m1b":
                pw = None
            w.users[username] = create_user(
                s, NewUser(username=username, name=name, phone=phone, role=role, leader=leader, password=pw)
            )
    w.add_lead("m1a", "m1a", "Acme Traders", contact_name="Ravi", phone="+919811111111")
    w.add_lead("m1b", "m1b", "Bharat Steel")
    w.add_lead("m2a", "m2a", "Chennai Silks")
    w.add_lead("leader1", "leader1", "Delhi Foods")
    return w


@pytest.fixture
def world(api_container) -> World:
    return seed_world(api_container)
