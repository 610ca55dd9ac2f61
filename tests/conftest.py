"""Shared fixtures: settings, a migrated SQLite database, PostgreSQL when configured, a fake clock and channel."""

from __future__ import annotations

import os
import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from crm_core.clock import FixedClock
from crm_core.composition import Container, set_container
from crm_core.db.session import Database
from crm_core.ports import OutgoingMessage, SendResult
from crm_core.settings import Settings, load_settings

pytest_plugins = ["tests.azurite_support"]  # the session-wide `azurite` fixture

IST = ZoneInfo("Asia/Kolkata")
# The corpus's moment: Tuesday 24 Nov 2026, 10:00 in India.
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=IST)
IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Keep the developer's environment (API keys, URLs) out of tests; reset the process container."""
    for key in list(os.environ):
        if key.startswith(("OPENAI_", "AZURE_OPENAI", "MAYT", "AzureWebJobs", "AZUREWEBJOBS")) or key in {
            "DATABASE_URL",
            "WEBHOOK_SECRET",
            "AUTH_SECRET",
            "CHANNEL",
            "QUEUE_BACKEND",
        }:
            monkeypatch.delenv(key, raising=False)
    set_container(None)
    yield
    set_container(None)


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Settings for tests: a SQLite file in tmp_path, secrets set, console channel, in-process queue."""
    return load_settings(
        DATABASE_URL=f"sqlite:///{tmp_path / 'crm.db'}",
        WEBHOOK_SECRET="test-webhook-secret",
        AUTH_SECRET="test-auth-secret-0123456789abcdef0123456789",
        CHANNEL="console",
        QUEUE_BACKEND="memory",
        ORDERING_WINDOW_SECONDS=0,
    )


@pytest.fixture
def clock() -> FixedClock:
    """A clock standing at the corpus's moment (Tue 24 Nov 2026, 10:00 IST)."""
    return FixedClock(NOW)


def _migrated(url: str) -> Database:
    from crm_core.db.migrate import upgrade

    db = Database(url)
    upgrade(db.engine)
    return db


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    """A migrated SQLite database in a temporary file."""
    database = _migrated(settings.database_url)
    yield database
    database.dispose()


def pg_url() -> str | None:
    """TEST_DATABASE_URL, when PostgreSQL tests are configured."""
    return os.environ.get("TEST_DATABASE_URL") or None


@pytest.fixture
def pg_db() -> Iterator[Database]:
    """A fresh, migrated PostgreSQL schema (skipped without TEST_DATABASE_URL; a failure in CI)."""
    url = pg_url()
    if not url:
        if IN_CI:
            pytest.fail("TEST_DATABASE_URL is not set in CI")
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1/test)")
    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    scoped = f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    database = _migrated(scoped)
    yield database
    database.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


class FakeChannel:
    """A channel that records what it was asked to send: sent[phone] -> [texts]; can be told to fail."""

    def __init__(self) -> None:
        self.sent: dict[str, list[str]] = defaultdict(list)
        self.messages: list[OutgoingMessage] = []
        self.fail_with: Exception | None = None

    def send(self, message: OutgoingMessage) -> SendResult:
        """Record the message (or raise the configured failure)."""
        if self.fail_with is not None:
            raise self.fail_with
        self.sent[message.to].append(message.text)
        self.messages.append(message)
        return SendResult(provider_message_id=f"fake-{len(self.messages)}")


@pytest.fixture
def fake_channel() -> FakeChannel:
    """A recording WhatsApp channel."""
    return FakeChannel()


@pytest.fixture
def container(settings: Settings, db: Database, clock: FixedClock, fake_channel: FakeChannel) -> Iterator[Container]:
    """A process container wired with the test database, the fixed clock and the fake channel."""
    c = Container(settings, database=db, clock=clock, whatsapp=fake_channel)
    set_container(c)
    yield c
    set_container(None)
