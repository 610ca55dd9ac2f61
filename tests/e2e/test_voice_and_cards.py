"""End to end through the local host (#14): Maytapi-shaped webhooks for voice notes and photos in; the media on a
loopback media host; OpenAI (audio transcriptions and chat with images) on the loopback fake; every message out at
the Maytapi fake. The webhook only enqueues; the queue function downloads, transcribes or reads the card.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import requests

from crm_core.accounts import NewUser, create_user
from crm_core.clock import FixedClock
from crm_core.composition import Container
from crm_core.db.models import InboundMessage, Lead, User
from crm_core.settings import load_settings
from tests.conftest import IST
from tests.e2e.test_lead_lifecycle import AMIT, PRIYA, SECRET, Bot, _text, _to
from tests.fakes.maytapi_server import MaytapiFake
from tests.fakes.media_files import tiny_ogg, tiny_png
from tests.fakes.media_server import MediaFake
from tests.fakes.openai_server import FakeOpenAI, command_json

pytestmark = pytest.mark.e2e

NEHA = "919800000003"
_ids = itertools.count(1)


class MediaBot(Bot):
    """The e2e Bot, sending voice notes and photos the way Maytapi does."""

    def post(self, phone: str, message: dict[str, Any]) -> requests.Response:
        n = next(_ids)
        body = {
            "type": "message",
            "product_id": "prod-1",
            "phone_id": 77,
            "message": {"id": f"media-{n}", "fromMe": False, **message},
            "user": {"id": f"{phone}@c.us", "name": "x", "phone": phone},
            "conversation": f"{phone}@c.us",
            "receiver": "919999999999",
            "timestamp": int(self.clock.now().timestamp()) + 1000 + n,
        }
        return requests.post(f"{self.base_url}/api/webhook", params={"secret": SECRET}, json=body, timeout=10)

    def voice(self, phone: str, url: str, mime: str = "audio/ogg; codecs=opus") -> list[dict]:
        started = time.perf_counter()
        r = self.post(phone, {"type": "ptt", "url": url, "mime": mime})
        self.ack_seconds = time.perf_counter() - started
        assert r.status_code == 200 and r.json()["status"] == "queued", r.text
        return self.wait_for_messages()

    def photo(self, phone: str, url: str, caption: str = "", mime: str = "image/png") -> list[dict]:
        r = self.post(phone, {"type": "image", "url": url, "caption": caption, "mime": mime})
        assert r.status_code == 200 and r.json()["status"] == "queued", r.text
        return self.wait_for_messages()


@pytest.fixture
def fakes() -> Iterator[tuple[MaytapiFake, FakeOpenAI, MediaFake, MediaFake]]:
    with MaytapiFake() as maytapi, FakeOpenAI() as ai, MediaFake() as media, MediaFake() as hostile:
        yield maytapi, ai, media, hostile


@pytest.fixture
def bot(tmp_path, fakes) -> Iterator[MediaBot]:  # type: ignore[no-untyped-def]
    from crm_core.db.migrate import upgrade
    from crm_core.db.session import Database
    from crm_core.localhost import LocalHost

    maytapi, ai, media, _hostile = fakes
    settings = load_settings(
        DATABASE_URL=f"sqlite:///{tmp_path / 'e2e.db'}",
        WEBHOOK_SECRET=SECRET,
        AUTH_SECRET="e2e-auth-secret-0123456789abcdef0123456789",
        MAYT_API_URL=maytapi.send_url,
        MAYT_API_TOKEN=maytapi.token,
        MAYTAPI_PRODUCT_ID="prod-1",
        MAYTAPI_PHONE_ID="77",
        CHANNEL="maytapi",
        QUEUE_BACKEND="memory",
        INBOUND_QUEUE=f"e2e-{tmp_path.name[-20:].lower().replace('_', '-')}",
        ORDERING_WINDOW_SECONDS=0,
        DIGEST_ENABLED=False,
        OPENAI_API_KEY="sk-e2e",
        OPENAI_BASE_URL=ai.base_url,
        LLM_MAX_RETRIES=0,
        MEDIA_URL_HOSTS=media.host,
    )
    db = Database(settings.database_url)
    upgrade(db.engine)
    with db.transaction() as s:
        create_user(s, NewUser(username="priya", name="Priya", phone=PRIYA, role="leader"))
        create_user(s, NewUser(username="amit", name="Amit", phone=AMIT, role="member", leader="priya"))
        create_user(s, NewUser(username="neha", name="Neha", phone=NEHA, role="member", leader="priya"))
    clock = FixedClock(datetime(2026, 11, 24, 10, 0, tzinfo=IST))
    container = Container(settings, database=db, clock=clock)  # the real parser, media adapters and channel
    host = LocalHost(host="127.0.0.1", port=0, container=container, visibility_timeout=0.2)
    base_url = host.start()
    try:
        yield MediaBot(base_url, maytapi, container, clock)
    finally:
        host.stop()
        db.dispose()


def _lead(bot: Bot) -> list[Lead]:
    with bot.container.database.transaction() as s:
        return list(s.query(Lead).order_by(Lead.id))


def _owner(bot: Bot, lead: Lead) -> str:
    with bot.container.database.transaction() as s:
        user = s.get(User, lead.owner_id)
        assert user is not None
        return user.username


def test_a_hinglish_voice_note_creates_the_lead_and_a_second_one_updates_it(bot, fakes):
    _maytapi, ai, media, _hostile = fakes
    url = media.serve("/wh_new/3EB0voice.oga", tiny_ogg(), "audio/ogg")
    ai.transcript("Naya lead Desai Pharma, contact Hetal Desai, 98240 55667, Neha ko assign karo.")
    out = bot.voice(PRIYA, url)

    (reply,) = _to(out, PRIYA)
    assert _text(reply).startswith("🎤 “Naya lead Desai Pharma, contact Hetal Desai, 98240 55667, Neha ko assign karo.”")
    assert len(_to(out, NEHA)) == 1 and "Desai Pharma" in _text(_to(out, NEHA)[0])
    (lead,) = _lead(bot)
    assert (lead.company, lead.phone, _owner(bot, lead)) == ("Desai Pharma", "+919824055667", "neha")

    ai.transcript("Desai Pharma ke saath kal 4 baje meeting fix karo")
    out = bot.voice(PRIYA, url)
    assert _text(_to(out, PRIYA)[0]).startswith("🎤 “Desai Pharma ke saath kal 4 baje meeting fix karo”")
    assert "4:00 PM" in _text(_to(out, PRIYA)[0])
    assert len(_lead(bot)) == 1  # the same record, updated
    assert ai.audio_calls == 2 and media.count("/wh_new/3EB0voice.oga") == 2
    with bot.container.database.transaction() as s:
        rows = s.query(InboundMessage).order_by(InboundMessage.id).all()
        assert [r.lead_id for r in rows] == [lead.id, lead.id]
        assert rows[1].text == "Desai Pharma ke saath kal 4 baje meeting fix karo"


def test_a_card_photo_creates_the_lead_with_its_phone_and_email(bot, fakes):
    _maytapi, ai, media, _hostile = fakes
    ai.reply(
        command_json(
            "new_lead",
            company="Kulkarni Hardware",
            contact_name="Suresh Kulkarni",
            phone="98220 44556",
            email="suresh@kulkarnihardware.in",
            assignee="Amit",
            note="Other numbers: 020 2445 6677",
        )
    )
    out = bot.photo(PRIYA, media.serve("/wh_new/card.png", tiny_png(), "image/png"), "card, Amit ko assign karo")
    (lead,) = _lead(bot)
    assert (lead.phone, lead.email, _owner(bot, lead)) == ("+919822044556", "suresh@kulkarnihardware.in", "amit")
    first = _text(_to(out, PRIYA)[0])
    assert first.startswith("🪪 Read from the card:") and "+91 98220 44556" in first
    assert len(_to(out, AMIT)) == 1 and "Kulkarni Hardware" in _text(_to(out, AMIT)[0])
    assert ai.requests[0].images  # GPT-4o saw the image


def test_hostile_media_links_are_never_fetched(bot, fakes):
    _maytapi, ai, media, hostile = fakes
    hostile.serve("/secret", tiny_ogg(), "audio/ogg")
    links = [
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        hostile.url("/secret"),
        media.redirect("/r", hostile.url("/secret")),
        "file:///etc/passwd",
    ]
    for link in links:
        out = bot.voice(PRIYA, link)
        assert len(out) == 1 and "can't open that voice note" in _text(out[0])
    out = bot.photo(PRIYA, hostile.url("/secret"), "card")
    assert len(out) == 1 and "can't open that photo" in _text(out[0])
    assert hostile.requests == [] and media.requests == ["/r"]
    assert ai.audio_calls == 0 and ai.calls == 0 and _lead(bot) == []


def test_a_429_is_retried_by_the_host_and_an_outage_ends_in_one_apology(bot, fakes):
    _maytapi, ai, media, _hostile = fakes
    url = media.serve("/v.oga", tiny_ogg(), "audio/ogg")
    ai.fail_audio(429).transcript("mere aaj ke tasks batao")
    out = bot.voice(PRIYA, url)
    assert len(out) == 1 and _text(out[0]).startswith("🎤 “mere aaj ke tasks batao”")
    assert ai.audio_calls == 2

    ai.fail_audio(429, times=5)  # every try of the next one fails: the host poisons it after the fifth
    out = bot.voice(PRIYA, url)
    assert len(out) == 1 and "couldn't transcribe your voice note" in _text(out[0])
    assert ai.audio_calls == 7
    with bot.container.database.transaction() as s:
        row = s.query(InboundMessage).order_by(InboundMessage.id.desc()).first()
        assert row is not None and row.status == "poison" and (row.media or {}).get("url") == url


def test_the_webhook_answer_stays_a_pure_enqueue(bot, fakes):
    _maytapi, ai, media, _hostile = fakes
    url = media.serve("/slow.oga", tiny_ogg(), "audio/ogg", delay=3.0)  # the download takes 3 s…
    ai.transcript("help")
    out = bot.voice(PRIYA, url)
    assert bot.ack_seconds < 3.0  # …but the webhook answered without waiting for it
    assert len(out) == 1 and _text(out[0]).startswith("🎤 “help”")
