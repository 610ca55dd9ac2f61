"""End to end through the local host (#12): the offline bot asks rather than writes when it is unsure, and one
message with several commands creates the lead and its demo in one go.

The unsure messages are real ones the built-in parser cannot be sure of for a structural reason (a 9-digit phone,
an owner who is not on the team), checked with `python -m crm_core parse --offline --explain --team Priya,Amit`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from crm_core.accounts import NewUser, create_user
from crm_core.clock import FixedClock
from crm_core.commands import Command, ParseResult
from crm_core.composition import Container
from crm_core.db.models import ConversationState, Event, InboundMessage, Lead, User
from crm_core.parsing.hybrid import build_parser
from crm_core.ports import ParseContext, Parser
from crm_core.settings import load_settings
from tests.conftest import IST
from tests.e2e.test_lead_lifecycle import AMIT, PRIYA, SECRET, Bot, _text, _to
from tests.fakes.maytapi_server import MaytapiFake

pytestmark = pytest.mark.e2e

ALSO_MESSAGE = "New lead: Gupta Agencies, Mohan, 9811122334, assign to Amit, demo kal 12 baje"


class WithFollowOns:
    """The app's own (offline) parser, except that a message it reads without its follow-on commands gets the
    reading the parse contract asks for (`also`), until the built-in parser gives it by itself."""

    def __init__(self, real: Parser, script: dict[str, Command]) -> None:
        self.real = real
        self.script = script

    def parse(self, text: str, ctx: ParseContext) -> ParseResult:
        """The real parse, or the scripted reading with `also` when the real one has none."""
        result = self.real.parse(text, ctx)
        if text in self.script and not result.command.also:
            return ParseResult(command=self.script[text], confidence=0.9, source="rules")
        return result


@pytest.fixture
def bot(tmp_path) -> Iterator[Bot]:  # type: ignore[no-untyped-def]
    from crm_core.db.migrate import upgrade
    from crm_core.db.session import Database
    from crm_core.localhost import LocalHost

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
        assert not settings.llm_configured  # offline: nobody but the built-in parser reads the messages
        db = Database(settings.database_url)
        upgrade(db.engine)
        with db.transaction() as s:
            create_user(s, NewUser(username="priya", name="Priya", phone=PRIYA, role="leader"))
            create_user(s, NewUser(username="amit", name="Amit", phone=AMIT, role="member", leader="priya"))
        clock = FixedClock(datetime(2026, 11, 24, 10, 0, tzinfo=IST))
        script = {
            ALSO_MESSAGE: Command.model_validate(
                {
                    "intent": "new_lead",
                    "company": "Gupta Agencies",
                    "contact_name": "Mohan",
                    "phone": "+919811122334",
                    "assignee": "Amit",
                    "also": [{"intent": "schedule_demo", "when": "2026-11-25T12:00:00+05:30"}],
                }
            )
        }
        parser = WithFollowOns(build_parser(settings), script)
        container = Container(settings, database=db, clock=clock, parser=parser)
        host = LocalHost(host="127.0.0.1", port=0, container=container)
        base_url = host.start()
        try:
            yield Bot(base_url, fake, container, clock)
        finally:
            host.stop()
            db.dispose()


def _leads(bot: Bot) -> list[Lead]:
    with bot.container.database.transaction() as s:
        return list(s.query(Lead).order_by(Lead.id))


def _awaiting(bot: Bot, phone: str) -> str | None:
    with bot.container.database.transaction() as s:
        user = s.query(User).filter(User.phone == f"+{phone}").one()
        state = s.query(ConversationState).filter(ConversationState.user_id == user.id).one_or_none()
        return state.awaiting if state is not None else None


def test_offline_bot_asks_instead_of_writing_and_haan_creates_exactly_one(bot: Bot) -> None:
    out = bot.say(PRIYA, "New lead: Om Sai Traders, Raju bhai, 98765 1234")
    assert len(out) == 1 and out[0]["to_number"] == PRIYA  # one question to Priya, nothing to anyone else
    question = _text(out[0])
    assert "Om Sai Traders" in question and "?" in question and "created" not in question
    assert _leads(bot) == [] and _awaiting(bot, PRIYA) == "confirm_command"
    with bot.container.database.transaction() as s:
        row = s.query(InboundMessage).order_by(InboundMessage.id.desc()).first()
        assert row is not None and row.intent == "ask" and (row.result or {}).get("source") == "ask"

    out = bot.say(PRIYA, "haan")
    assert len(_to(out, PRIYA)) == 1 and "Om Sai Traders" in _text(_to(out, PRIYA)[0])
    (lead,) = _leads(bot)
    assert lead.company == "Om Sai Traders" and lead.phone is None  # the 9-digit number was never stored
    assert _awaiting(bot, PRIYA) is None

    bot.say(PRIYA, "haan")  # nothing pending any more: no second lead
    assert len(_leads(bot)) == 1


def test_owner_not_on_the_team_is_asked_and_the_answer_assigns_it(bot: Bot) -> None:
    out = bot.say(PRIYA, "New lead: Kapoor Motors, Sunil, 9876501234, assign to walk")
    assert len(out) == 1 and "walk" in _text(out[0]) and "Kapoor Motors" in _text(out[0])
    assert _leads(bot) == []

    out = bot.say(PRIYA, "Amit")
    assert len(_to(out, PRIYA)) == 1 and "Kapoor Motors" in _text(_to(out, PRIYA)[0])
    assert len(_to(out, AMIT)) == 1 and "Kapoor Motors" in _text(_to(out, AMIT)[0])
    (lead,) = _leads(bot)
    with bot.container.database.transaction() as s:
        owner = s.get(User, lead.owner_id)
        assert owner is not None and owner.username == "amit" and lead.phone == "+919876501234"


def test_no_drops_the_unsure_command(bot: Bot) -> None:
    bot.say(PRIYA, "New lead: Kapoor Motors, Sunil, 9876501234, assign to walk")
    out = bot.say(PRIYA, "nahi rehne do")
    assert len(out) == 1 and "nothing was saved" in _text(out[0])
    assert _leads(bot) == [] and _awaiting(bot, PRIYA) is None


def test_one_message_creates_the_lead_and_its_demo_in_one_go(bot: Bot) -> None:
    out = bot.say(PRIYA, ALSO_MESSAGE)
    to_priya, to_amit = _to(out, PRIYA), _to(out, AMIT)
    assert len(to_priya) == 2 and "Gupta Agencies" in _text(to_priya[0]) and "Demo" in _text(to_priya[1])
    assert "Wed 25 Nov, 12:00 PM" in _text(to_priya[1])
    assert len(to_amit) == 2  # the new lead, then the demo
    (lead,) = _leads(bot)
    with bot.container.database.transaction() as s:
        (event,) = s.query(Event).all()
        assert event.lead_id == lead.id and event.kind == "demo" and lead.status == "demo_scheduled"
        assert event.starts_at.astimezone(IST).isoformat() == "2026-11-25T12:00:00+05:30"
        (row,) = s.query(InboundMessage).all()  # one message, one transaction, both changes
        assert row.status == "done" and row.lead_id == lead.id and row.intent == "new_lead"
