"""End to end through the local host: WhatsApp-shaped webhooks in, every message out at a Maytapi fake on loopback.

A lead goes from creation to demo done and its nurture reminders, as Priya (leader) and Amit (member) would live it.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import requests

from crm_core.accounts import NewUser, create_user
from crm_core.clock import FixedClock
from crm_core.composition import Container
from crm_core.db.models import Event, Lead, Outbox
from crm_core.settings import load_settings
from tests.conftest import IST
from tests.fakes.maytapi_server import MaytapiFake

pytestmark = pytest.mark.e2e

PRIYA = "919800000001"
AMIT = "919800000002"
SECRET = "e2e-secret"
_ids = itertools.count(1)


class Bot:
    """Talks to the local host like Maytapi does, and reads what reached the Maytapi fake."""

    def __init__(self, base_url: str, fake: MaytapiFake, container: Container, clock: FixedClock) -> None:
        self.base_url = base_url
        self.fake = fake
        self.container = container
        self.clock = clock
        self.seen = 0

    def say(self, phone: str, text: str) -> list[dict]:
        """Send a text as `phone`; return the messages the bot sent in answer (waits until they stop coming)."""
        n = next(_ids)
        body = {
            "type": "message",
            "product_id": "prod-1",
            "phone_id": 77,
            "message": {"id": f"wamid-{n}", "type": "text", "text": text, "fromMe": False},
            "user": {"id": f"{phone}@c.us", "name": "x", "phone": phone},
            "conversation": f"{phone}@c.us",
            "receiver": "919999999999",
            "timestamp": int(self.clock.now().timestamp()) + n,
        }
        r = requests.post(f"{self.base_url}/api/webhook", params={"secret": SECRET}, json=body, timeout=10)
        assert r.status_code == 200, r.text
        return self.wait_for_messages()

    def wait_for_messages(self, settle: float = 0.6, limit: float = 15.0) -> list[dict]:
        """Collect what reaches the fake until nothing new arrives for `settle` seconds."""
        deadline = time.monotonic() + limit
        last_count, last_change = len(self.fake.received), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.05)
            if len(self.fake.received) != last_count:
                last_count, last_change = len(self.fake.received), time.monotonic()
            elif last_count > self.seen and time.monotonic() - last_change >= settle:
                break
        new = self.fake.received[self.seen :]
        self.seen = len(self.fake.received)
        return list(new)

    def sweep_at(self, at: datetime) -> list[dict]:
        """Move the clock and run one outbox sweep, as the timer would."""
        from crm_core.delivery.sweep import run_sweep

        self.clock.set(at)
        run_sweep(self.container, now=at)
        return self.wait_for_messages(settle=0.2, limit=3)


def _to(messages: list[dict], phone: str) -> list[dict]:
    return [m for m in messages if m["to_number"] == phone]


def _text(m: dict) -> str:
    return str(m.get("text") or m.get("message") or "")


@pytest.fixture
def bot(tmp_path) -> Iterator[Bot]:
    from crm_core.db.migrate import upgrade
    from crm_core.db.session import Database
    from crm_core.localhost import LocalHost
    from crm_core.nurture.templates import ensure_default_sequence

    with MaytapiFake() as fake:
        settings = load_settings(
            DATABASE_URL=f"sqlite:///{tmp_path / 'e2e.db'}",
            WEBHOOK_SECRET=SECRET,
            AUTH_SECRET="e2e-auth-secret-0123456789abcdef0123456789",
            MAYT_API_URL=fake.send_url,
            MAYT_API_TOKEN=fake.token,
            MAYTAPI_PRODUCT_ID="prod-1",
            MAYTAPI_PHONE_ID="77",
            CHANNEL="maytapi",
            QUEUE_BACKEND="memory",
            INBOUND_QUEUE=f"e2e-{tmp_path.name[-20:].lower().replace('_', '-')}",
            ORDERING_WINDOW_SECONDS=0,
            DIGEST_ENABLED=False,
        )
        db = Database(settings.database_url)
        upgrade(db.engine)
        with db.transaction() as s:
            create_user(s, NewUser(username="priya", name="Priya", phone=PRIYA, role="leader"))
            create_user(s, NewUser(username="amit", name="Amit", phone=AMIT, role="member", leader="priya"))
            ensure_default_sequence(s)
        clock = FixedClock(datetime(2026, 11, 24, 10, 0, tzinfo=IST))
        container = Container(settings, database=db, clock=clock)
        host = LocalHost(host="127.0.0.1", port=0, container=container)
        base_url = host.start()
        try:
            yield Bot(base_url, fake, container, clock)
        finally:
            host.stop()
            db.dispose()


def test_lead_from_creation_to_demo_done_and_nurture(bot: Bot) -> None:
    # 1. Priya creates a lead for Amit: Priya gets a confirmation, Amit a notification.
    out = bot.say(PRIYA, "New lead: Sharma Traders, Rakesh Sharma, 9876543210, IndiaMART, assign to Amit")
    assert len(_to(out, PRIYA)) == 1 and "Sharma Traders" in _text(_to(out, PRIYA)[0])
    assert len(_to(out, AMIT)) == 1 and "Sharma Traders" in _text(_to(out, AMIT)[0])
    assert all(m["type"] == "text" for m in out)
    with bot.container.database.transaction() as s:
        lead = s.query(Lead).one()
        assert lead.phone == "+919876543210" and lead.source == "IndiaMART"

    # 2. Amit qualifies it; the bot asks for the missing details; his one-message answer is saved.
    out = bot.say(AMIT, "Lead qualified for Sharma Traders")
    assert len(_to(out, AMIT)) == 1
    ask = _text(_to(out, AMIT)[0]).lower()
    assert "address" in ask and "turnover" in ask
    out = bot.say(
        AMIT, "Address: 12 MG Road, Pune; Turnover: 5 crore; Current system: Tally; Challenges: no follow-up tracking"
    )
    assert len(_to(out, AMIT)) == 1 and "Sharma Traders" in _text(_to(out, AMIT)[0])
    with bot.container.database.transaction() as s:
        lead = s.query(Lead).one()
        assert lead.status == "qualified"
        assert lead.turnover == "5 crore" and lead.current_system == "Tally"

    # 3. A demo tomorrow at 4 pm, echoed in words.
    out = bot.say(AMIT, "Schedule demo for Sharma Traders kal 4 baje")
    assert "25 Nov" in _text(_to(out, AMIT)[0]) and "4:00 PM" in _text(_to(out, AMIT)[0])

    # 4. Demo done: the lead advances and the nurture sequence is scheduled for Amit.
    bot.clock.set(datetime(2026, 11, 25, 17, 30, tzinfo=IST))
    out = bot.say(AMIT, "Demo done for Sharma Traders, they liked the reporting module")
    assert len(_to(out, AMIT)) == 1
    with bot.container.database.transaction() as s:
        assert s.query(Lead).one().status == "demo_done"
        assert s.query(Event).one().status == "done"
        reminders = s.query(Outbox).filter(Outbox.kind == "reminder").order_by(Outbox.due_at).all()
        assert len(reminders) >= 2
        dues = [r.due_at for r in reminders]

    # 5. Each reminder reaches Amit exactly once, at its due time, with the exact text to forward.
    delivered: list[dict] = []
    for due in dues:
        assert bot.sweep_at(due - timedelta(minutes=1)) == []
        delivered += bot.sweep_at(due + timedelta(minutes=1))
    assert len(delivered) == 2 * len(dues)  # each follow-up: a header, then the text to forward on its own
    assert all(m["to_number"] == AMIT for m in delivered)
    headers, forwards = delivered[0::2], delivered[1::2]
    assert all("Sharma Traders" in _text(m) and "Forward the next message" in _text(m) for m in headers)
    assert all("Follow-up" not in _text(m) and "Forward" not in _text(m) for m in forwards)
    assert forwards[0]["type"] == "media" and forwards[0]["text"].startswith("Namaste Rakesh Sharma ji,")
    assert bot.sweep_at(dues[-1] + timedelta(days=1)) == []


def test_unknown_sender_gets_one_polite_reply_and_nothing_changes(bot: Bot) -> None:
    out = bot.say("919811111111", "New lead: Ghost Co, Nobody, 9876500000")
    assert len(out) == 1 and out[0]["to_number"] == "919811111111"
    with bot.container.database.transaction() as s:
        assert s.query(Lead).count() == 0


def test_help_over_the_webhook(bot: Bot) -> None:
    out = bot.say(PRIYA, "help")
    assert len(out) == 1 and "lead" in _text(out[0]).lower()
