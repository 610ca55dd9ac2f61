"""Fixtures for voice notes and cards: the real pipeline, handlers and parser; the real openai SDK and HTTP client
against loopback fakes (OpenAI audio + chat, a media host, a hostile host that must never be reached)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from crm_core.accounts import NewUser, create_user
from crm_core.composition import Container, set_container
from crm_core.db.models import InboundMessage, Lead, LlmCall
from crm_core.db.session import Database
from crm_core.envelope import Envelope
from crm_core.parsing.hybrid import build_parser
from crm_core.pipeline.process import process_queue_message
from crm_core.settings import Settings
from tests.fakes.media_files import tiny_png, tiny_wav
from tests.fakes.media_server import MediaFake
from tests.fakes.openai_server import FakeOpenAI
from tests.pipeline.support import FakeQueue

PRIYA = "+919876500003"
AMIT = "+919876500004"
NEHA = "+919876500005"
_ids = itertools.count(1)


@pytest.fixture
def ai() -> Iterator[FakeOpenAI]:
    """The OpenAI fake (chat completions with images, audio transcriptions)."""
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
def media() -> Iterator[MediaFake]:
    """The allowed media host (MEDIA_URL_HOSTS names it)."""
    with MediaFake() as fake:
        yield fake


@pytest.fixture
def hostile() -> Iterator[MediaFake]:
    """Another host on loopback, not allowed: nothing may ever reach it."""
    with MediaFake() as fake:
        yield fake


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> Database:
    """The SQLite database, or a PostgreSQL schema (TEST_DATABASE_URL)."""
    return request.getfixturevalue("db" if request.param == "sqlite" else "pg_db")


def team(database: Database) -> None:
    """Lata leads Priya, Amit and Neha."""
    with database.transaction() as session:
        create_user(session, NewUser("lata", "Lata Leader", "+919876500002", role="leader"))
        create_user(session, NewUser("priya", "Priya Sharma", PRIYA, leader="lata"))
        create_user(session, NewUser("amit", "Amit Verma", AMIT, leader="lata"))
        create_user(session, NewUser("neha", "Neha Gupta", NEHA, leader="lata"))


def ai_settings(settings: Settings, ai: FakeOpenAI, media: MediaFake, **more: Any) -> Settings:
    """The test settings with OpenAI on the fake and the media fake allowed."""
    values: dict[str, Any] = {
        "openai_api_key": "sk-test",
        "openai_base_url": ai.base_url,
        "llm_max_retries": 0,
        "llm_timeout_seconds": 2.0,
        "media_url_hosts": media.host,
        "media_read_timeout_seconds": 1.0,
        "media_connect_timeout_seconds": 1.0,
    }
    values.update(more)
    return settings.model_copy(update=values)


@pytest.fixture
def queue() -> FakeQueue:
    return FakeQueue()


@pytest.fixture
def wired(settings, database, clock, fake_channel, queue, ai, media) -> Container:
    """The team; the real parser (rules + GPT on the fake), real media adapters against the fakes."""
    s = ai_settings(settings, ai, media)
    team(database)
    container = Container(s, database=database, clock=clock, whatsapp=fake_channel, queue=queue, parser=build_parser(s))
    set_container(container)
    return container


@pytest.fixture
def offline(settings, database, clock, fake_channel, queue, media) -> Container:
    """The team, and no AI service configured at all (the embedded default)."""
    s = settings.model_copy(update={"media_url_hosts": media.host})
    assert not s.llm_configured
    team(database)
    container = Container(s, database=database, clock=clock, whatsapp=fake_channel, queue=queue, parser=build_parser(s))
    set_container(container)
    return container


def rewire(container: Container, **settings: Any) -> Container:
    """The same wiring with some settings changed (the real adapters rebuilt from them), as the process container."""
    s = container.settings.model_copy(update=settings)
    again = Container(
        s,
        database=container.database,
        clock=container.clock,
        whatsapp=container.whatsapp,
        queue=container.queue,
        parser=build_parser(s),
    )
    set_container(again)
    return again


def voice_body(clock: Any, url: str | None, *, sender: str = PRIYA, mime: str = "audio/wav", mtype: str = "ptt") -> str:
    """A voice note envelope, as the webhook makes it (a few seconds after the last message)."""
    clock.advance(timedelta(seconds=5))
    env = Envelope(
        provider="maytapi",
        message_id=f"v{next(_ids)}",
        sender=sender,
        text="",
        sent_at=clock.now(),
        kind="voice",
        media_type=mtype,
        media_url=url,
        media_mime=mime,
    )
    return env.to_json()


def photo_body(clock: Any, url: str | None, caption: str = "", *, sender: str = PRIYA, mime: str = "image/png") -> str:
    """A photo envelope, as the webhook makes it."""
    clock.advance(timedelta(seconds=5))
    env = Envelope(
        provider="maytapi",
        message_id=f"p{next(_ids)}",
        sender=sender,
        text=caption,
        sent_at=clock.now(),
        kind="image",
        media_type="image",
        media_url=url,
        media_mime=mime,
    )
    return env.to_json()


def send(body: str, dequeue_count: int = 1) -> str:
    """Run the queue function on a body; returns the body (to send it again)."""
    process_queue_message(body, dequeue_count)
    return body


def last_row(database: Database) -> InboundMessage:
    """The newest inbound row."""
    with database.sessions() as session:
        row = session.scalars(select(InboundMessage).order_by(InboundMessage.id.desc()).limit(1)).one()
        session.expunge_all()
        return row


def leads(database: Database) -> list[Lead]:
    """Every lead, by id."""
    with database.sessions() as session:
        rows = list(session.scalars(select(Lead).order_by(Lead.id)))
        session.expunge_all()
        return rows


def llm_calls(database: Database) -> list[LlmCall]:
    """Every llm_calls row, by id."""
    with database.sessions() as session:
        rows = list(session.scalars(select(LlmCall).order_by(LlmCall.id)))
        session.expunge_all()
        return rows


WAV = tiny_wav()
PNG = tiny_png()
