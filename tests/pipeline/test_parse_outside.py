"""GPT is asked outside the database transaction, sees what the rules see, and is paid once per message.

The real pipeline, the real handlers and the real hybrid parser, with GPT on the loopback OpenAI fake.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import OperationalError

import crm_core.pipeline.process as process
from crm_core.accounts import NewUser, create_user
from crm_core.commands import Command, Intent, ParseResult
from crm_core.composition import Container, set_container
from crm_core.db.models import Activity, ConversationState, InboundMessage, Lead, LlmCall
from crm_core.db.session import Database
from crm_core.errors import TransientError
from crm_core.parsing.hybrid import build_parser
from crm_core.pipeline.process import process_queue_message, record_inbound, state_key
from tests.fakes.openai_server import FakeOpenAI, Recorded, command_json
from tests.pipeline.support import FakeQueue, count, envelope, inbound, seconds

PRIYA = "+919876500003"
UNSURE = "unko quote bhej diya"  # no lead named: the rules are unsure of it, GPT is asked
NEW_LEAD = "New lead: Sharma Traders, Ravi Kumar, 9400000001, IndiaMART"
QUOTE = command_json("add_activity", company="Sharma Traders", note="quote bhej diya")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> Database:
    """The SQLite database, or a PostgreSQL schema (TEST_DATABASE_URL)."""
    return request.getfixturevalue("db" if request.param == "sqlite" else "pg_db")


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
def queue() -> FakeQueue:
    return FakeQueue()


@pytest.fixture
def wired(settings, database, clock, fake_channel, queue, server) -> Container:
    """The team in the database; a container whose parser is the hybrid with GPT on the fake."""
    s = settings.model_copy(
        update={"openai_api_key": "sk-test", "openai_base_url": server.base_url, "llm_max_retries": 0}
    )
    with database.transaction() as session:
        create_user(session, NewUser("lata", "Lata Leader", "+919876500002", role="leader"))
        create_user(session, NewUser("priya", "Priya Sharma", PRIYA, leader="lata"))
        create_user(session, NewUser("amit", "Amit Verma", "+919876500004", leader="lata"))
    container = Container(
        s, database=database, clock=clock, whatsapp=fake_channel, queue=queue, parser=build_parser(s)
    )
    set_container(container)
    return container


class Say:
    """Sends messages as Priya through the queue function, a few seconds apart."""

    def __init__(self, clock: Any) -> None:
        self.clock = clock
        self.n = 0

    def body(self, text_: str) -> str:
        self.n += 1
        self.clock.advance(seconds(5))
        return envelope(text_, f"m{self.n}", self.clock.now(), sender=PRIYA)

    def __call__(self, text_: str, dequeue_count: int = 1) -> str:
        body = self.body(text_)
        process_queue_message(body, dequeue_count)
        return body


@pytest.fixture
def say(clock) -> Say:
    return Say(clock)


def _row(database: Database, n: int = -1) -> InboundMessage:
    return inbound(database)[n]


# -- no transaction, no lock, no connection while the model thinks ----------------------------------------------


def _lock_and_write_elsewhere(database: Database) -> str:
    """From a connection of our own: take Priya's row lock and write, failing at once if anyone holds either."""
    url = database.engine.url
    if url.get_backend_name() == "sqlite":
        conn = sqlite3.connect(str(url.database), timeout=0.2, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")  # the database's write lock: held by any open write transaction
            conn.execute("UPDATE users SET name = name WHERE phone = ?", (PRIYA,))
            conn.execute("UPDATE inbound_messages SET attempts = attempts WHERE sender = ?", (PRIYA,))
            conn.execute("ROLLBACK")
        finally:
            conn.close()
        return "locked and wrote"
    engine = create_engine(url.render_as_string(hide_password=False))
    try:
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '200ms'"))
            conn.execute(text("SELECT id FROM users WHERE phone = :p FOR UPDATE NOWAIT"), {"p": PRIYA})
            conn.execute(text("UPDATE inbound_messages SET attempts = attempts WHERE sender = :p"), {"p": PRIYA})
    finally:
        engine.dispose()
    return "locked and wrote"


def test_the_model_is_asked_with_no_transaction_lock_or_connection_held(wired, database, server, say):
    say(NEW_LEAD)
    assert server.calls == 0  # the rules were sure
    seen: list[object] = []

    def while_thinking(_req: Recorded) -> None:
        try:
            seen.append(database.engine.pool.checkedout())
            seen.append(_lock_and_write_elsewhere(database))
        except Exception as exc:  # recorded, asserted below
            seen.append(exc)

    server.on_request = while_thinking
    server.reply(QUOTE)
    say(UNSURE)
    assert seen == [0, "locked and wrote"]
    row = _row(database)
    assert (row.status, row.intent) == ("done", "add_activity")
    assert row.parse is not None and row.parse["result"]["source"] == "gpt"
    with database.sessions() as session:
        lead = session.scalar(select(Lead).where(Lead.company == "Sharma Traders"))
        assert lead is not None
        notes = session.scalars(select(Activity.text).where(Activity.lead_id == lead.id)).all()
        assert any("quote bhej diya" in note for note in notes)
        call = session.scalars(select(LlmCall)).one()
    assert (call.inbound_id, call.outcome, call.prompt_tokens) == (row.id, "ok", 321)


# -- GPT sees what the rules see -----------------------------------------------------------------------------------


def test_the_prompt_has_the_team_recent_leads_and_what_the_bot_awaits(wired, database, server, say):
    say(NEW_LEAD)
    say("Lead qualified for Sharma Traders")  # the bot now waits for Sharma Traders' details
    assert server.calls == 0
    details = dict.fromkeys(("address", "turnover", "current_system", "challenges", "industry", "team_size"))
    server.reply(command_json("lead_details", details={**details, "turnover": "3 crore", "current_system": "Tally"}))
    say("unka woh jo poocha tha, 3 crore aur tally")  # a reply the rules cannot place: GPT is asked
    (req,) = server.requests
    assert "Team members (the only possible assignees): Amit Verma, Lata Leader, Priya Sharma." in req.system
    assert "The sender's recent leads: Sharma Traders." in req.system
    assert "The bot is waiting for the qualification details" in req.system
    assert "Pending: details of the lead Sharma Traders." in req.system
    assert "The sender is Priya Sharma" in req.system
    assert req.user == "unka woh jo poocha tha, 3 crore aur tally"
    with database.sessions() as session:
        lead = session.scalars(select(Lead)).one()
        assert (lead.turnover, lead.current_system) == ("3 crore", "Tally")


def test_state_answers_need_no_parse_and_no_model(wired, database, clock, server, say):
    say(NEW_LEAD)
    say("New lead: Gupta Steels, Anil Gupta, 9400000002, JustDial")
    with database.transaction() as session:
        ids = [lead.id for lead in session.scalars(select(Lead).order_by(Lead.id))]
        user_id = session.scalar(text("SELECT id FROM users WHERE phone = :p"), {"p": PRIYA})
        command = Command(intent=Intent.ADD_ACTIVITY, company="Sharma", note="sent the catalogue")
        session.add(
            ConversationState(
                user_id=user_id,
                awaiting="choose_lead",
                data={"command": command.model_dump(mode="json"), "lead_ids": ids},
                expires_at=clock.now() + timedelta(hours=1),
                updated_at=clock.now(),
            )
        )
    say("2")  # the rules are unsure of a bare "2" (GPT would be asked); the state answers it without parsing
    assert server.calls == 0
    row = _row(database)
    assert (row.status, row.intent) == ("done", "add_activity")
    with database.sessions() as session:
        assert session.scalar(select(Activity.lead_id).where(Activity.text.contains("catalogue"))) == ids[1]


# -- paid once ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "failure",
    [TransientError("database paused"), OperationalError("UPDATE", {}, Exception("server closed the connection"))],
    ids=["transient", "database"],
)
def test_a_redelivered_message_makes_no_further_model_call(wired, database, server, say, monkeypatch, failure):
    say(NEW_LEAD)
    real = process._respond
    failed: list[str] = []

    def fails_once_after_the_parse(ctx, text_, parser):
        if isinstance(parser, ParseResult) and not failed:  # the apply that follows the stored parse
            failed.append(text_)
            raise failure
        return real(ctx, text_, parser)

    monkeypatch.setattr(process, "_respond", fails_once_after_the_parse)
    server.reply(QUOTE)
    body = say.body(UNSURE)
    with pytest.raises(type(failure)):
        process_queue_message(body, 1)
    row = _row(database)
    assert row.status == "received" and row.parse is not None and row.parse["result"]["source"] == "gpt"
    assert server.calls == 1 and count(database, LlmCall) == 0
    process_queue_message(body, 2)  # the queue redelivers
    process_queue_message(body, 3)  # and once more, after it was applied
    assert server.calls == 1
    row = _row(database)
    assert (row.status, row.intent, row.attempts) == ("done", "add_activity", 2)
    assert count(database, LlmCall) == 1


def test_a_failed_model_call_releases_its_claim_for_the_retry(wired, database, server, say):
    server.fail(429)
    body = say.body(UNSURE)
    with pytest.raises(TransientError):
        process_queue_message(body, 1)
    assert _row(database).parse is None  # no claim left behind: the retry need not wait for the lease
    server.reply(command_json("help"))
    process_queue_message(body, 2)
    assert server.calls == 2 and _row(database).status == "done"


# -- one sender's messages while one of them is with the model ------------------------------------------------------


def test_a_later_message_waits_while_its_predecessor_is_with_the_model(wired, database, clock, queue, server, say):
    first = say.body(UNSURE)
    first_id = record_inbound(wired, process.Envelope.from_json(first))
    with database.transaction() as session:  # another worker claimed it and is waiting for GPT
        row = session.get(InboundMessage, first_id)
        assert row is not None
        row.parse = {"claim": "another-worker", "until": (clock.now() + seconds(30)).isoformat()}
    second = say("help")
    assert server.calls == 0
    assert [r.status for r in inbound(database)] == ["received", "received"]
    assert [(b, delay) for b, delay in queue.sent] == [(second, 2)]  # looks again in 2 s
    # The other worker died: once its claim has lapsed, this worker parses the first message itself.
    clock.advance(process.parse_lease(wired) + seconds(1))
    server.reply(QUOTE)
    process_queue_message(queue.sent[0][0])
    assert server.calls == 1
    assert [(r.status, r.intent) for r in inbound(database)] == [("done", "add_activity"), ("done", "help")]
    process_queue_message(first, 2)  # the dead worker's message comes back: nothing more to do
    assert server.calls == 1


def test_messages_that_waited_for_the_model_are_applied_when_it_answers(wired, database, queue, server, say):
    say(NEW_LEAD)
    first = say.body(UNSURE)
    second = say.body("status of Sharma Traders?")
    errors: list[BaseException] = []

    def meanwhile(_req: Recorded) -> None:  # the sender's next message arrives while the model thinks
        try:
            process_queue_message(second)
        except BaseException as exc:
            errors.append(exc)

    server.on_request = meanwhile
    server.reply(QUOTE)
    process_queue_message(first)
    assert errors == []
    assert [delay for _, delay in queue.sent] == [2]  # the second one was told to wait ...
    rows = inbound(database)
    assert [(r.status, r.intent) for r in rows[1:]] == [("done", "add_activity"), ("done", "lead_info")]  # ... and
    # was applied right after the model answered, by the worker that asked it
    process_queue_message(queue.sent[0][0])  # its deferred copy: nothing left to do
    assert server.calls == 1 and len(inbound(database)) == 3


def test_two_copies_of_one_message_pay_the_model_once(wired, database, queue, server, say):
    body = say.body(UNSURE)
    errors: list[BaseException] = []

    def second_copy(_req: Recorded) -> None:  # the queue hands the same message to another worker meanwhile
        try:
            process_queue_message(body, 1)
        except BaseException as exc:
            errors.append(exc)

    server.on_request = second_copy
    server.reply(QUOTE)
    process_queue_message(body, 1)
    assert errors == [] and server.calls == 1
    assert [delay for _, delay in queue.sent] == [2]
    process_queue_message(queue.sent[0][0])
    assert server.calls == 1 and _row(database).status == "done" and count(database, LlmCall) == 1


def test_a_worker_parses_a_dead_workers_message_before_its_own(wired, database, server, say):
    first = say.body(UNSURE)
    record_inbound(wired, process.Envelope.from_json(first))  # its worker died before parsing it
    server.reply(QUOTE)
    say("help")
    assert server.calls == 1
    assert [(r.status, r.intent) for r in inbound(database)] == [("done", "add_activity"), ("done", "help")]


# -- the state changed between the parse and the apply ---------------------------------------------------------


def _store(database: Database, row_id: int, result: ParseResult, key: str | None) -> None:
    with database.transaction() as session:
        row = session.get(InboundMessage, row_id)
        assert row is not None
        row.parse = {"result": result.model_dump(mode="json"), "state": key}


def test_a_stored_parse_stands_when_the_state_changed_and_the_rules_are_unsure(wired, database, clock, server, say):
    say(NEW_LEAD)
    qualify = say.body("Lead qualified for Sharma Traders")
    record_inbound(wired, process.Envelope.from_json(qualify))
    body = say.body("unka turnover 3 crore hai aur tally chalate hain")
    row_id = record_inbound(wired, process.Envelope.from_json(body))
    # Parsed by GPT while nothing was awaited; the earlier message is applied next (details are then awaited).
    gpt = ParseResult(
        command=Command.model_validate({"intent": "lead_details", "details": {"turnover": "3 crore"}}),
        confidence=0.85,
        source="gpt",
        tokens_used=100,
    )
    _store(database, row_id, gpt, None)
    process_queue_message(qualify)
    process_queue_message(body)
    assert server.calls == 0
    rows = {r.id: r for r in inbound(database)}
    assert (rows[row_id].status, rows[row_id].intent) == ("done", "lead_details")
    with database.sessions() as session:
        assert session.scalars(select(Lead.turnover)).one() == "3 crore"
        assert session.scalars(select(LlmCall.inbound_id)).all() == [row_id]  # the paid call is recorded


def test_the_rules_fresh_reading_wins_when_the_state_changed_and_they_are_sure(wired, database, clock, server, say):
    say(NEW_LEAD)
    body = say.body("status of Sharma Traders?")
    row_id = record_inbound(wired, process.Envelope.from_json(body))
    stale = ParseResult(command=Command(intent=Intent.HELP), confidence=0.85, source="gpt", tokens_used=90)
    _store(database, row_id, stale, "details:0123456789abcdef")  # made while a state now gone was awaited
    say("help")
    assert server.calls == 0
    row = next(r for r in inbound(database) if r.id == row_id)
    assert (row.status, row.intent) == ("done", "lead_info")
    assert row.parse is not None and row.parse["result"]["source"] == "rules"
    assert row.parse["stale"]["source"] == "gpt"
    assert count(database, LlmCall) == 1  # what was paid for is still recorded


def test_state_key_ignores_an_expired_state(clock):
    state = ConversationState(
        user_id=1, awaiting="details", lead_id=3, data=None, expires_at=clock.now() + timedelta(minutes=1)
    )
    key = state_key(state, clock.now())
    assert key is not None and key.startswith("details:")
    assert state_key(state, clock.now() + timedelta(minutes=2)) is None
    assert state_key(None, clock.now()) is None
    other = ConversationState(
        user_id=1, awaiting="details", lead_id=4, data=None, expires_at=clock.now() + timedelta(minutes=1)
    )
    assert state_key(other, clock.now()) != key


def test_an_unreadable_stored_parse_is_made_again(wired, database, server, say):
    say(NEW_LEAD)
    body = say.body(UNSURE)
    row_id = record_inbound(wired, process.Envelope.from_json(body))
    with database.transaction() as session:
        row = session.get(InboundMessage, row_id)
        assert row is not None
        row.parse = {"result": {"command": {"intent": "no_such_intent"}}, "state": None}
    server.reply(QUOTE)
    process_queue_message(body)
    assert server.calls == 1
    row = _row(database)
    assert (row.status, row.intent) == ("done", "add_activity")
