"""A number that is not a user's is answered at most once a day — one calendar day in the team's zone, and never
twice within 24 hours — so two bots cannot loop and the WhatsApp number is not banned for spamming. Every message
is still recorded."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

import crm_core.pipeline.process as process
from crm_core.composition import Container, set_container
from crm_core.db.models import Outbox
from crm_core.pipeline.process import process_queue_message
from tests.conftest import IST
from tests.pipeline.support import FakeQueue, FakeRespond, count, envelope, inbound

STRANGER = "+919811122334"


@pytest.fixture
def respond(monkeypatch) -> FakeRespond:
    fake = FakeRespond()
    monkeypatch.setattr(process, "_respond", fake)
    return fake


def _wire(settings, database, clock, fake_channel) -> Container:
    container = Container(
        settings, database=database, clock=clock, whatsapp=fake_channel, queue=FakeQueue(), parser=object()
    )  # type: ignore[arg-type]
    set_container(container)
    return container


def _say(clock, n: int, text: str = "hi, are you there?") -> None:
    process_queue_message(envelope(text, f"bot-{n}", clock.now(), sender=STRANGER))


def _answered_unregistered_bot_for_a_day(database, clock, fake_channel, respond) -> None:
    for n in range(20):  # another bot answering every answer
        _say(clock, n)
        clock.advance(timedelta(seconds=30))
    assert len(fake_channel.sent[STRANGER]) == 1 and "not registered" in fake_channel.sent[STRANGER][0]
    rows = inbound(database)
    assert len(rows) == 20 and {(r.status, r.intent) for r in rows} == {("done", "unregistered")}
    assert sum(1 for r in rows if (r.result or {}).get("answered") is False) == 19
    assert respond.calls == []
    assert count(database, Outbox) == 1


def test_an_unregistered_number_is_answered_once_however_often_it_writes(
    settings, db, clock, fake_channel, respond
) -> None:
    _wire(settings, db, clock, fake_channel)
    _answered_unregistered_bot_for_a_day(db, clock, fake_channel, respond)


@pytest.mark.postgres
def test_an_unregistered_number_is_answered_once_on_postgres(settings, pg_db, clock, fake_channel, respond) -> None:
    _wire(settings, pg_db, clock, fake_channel)
    _answered_unregistered_bot_for_a_day(pg_db, clock, fake_channel, respond)


def test_at_most_once_per_day_and_never_twice_within_24_hours(settings, db, clock, fake_channel, respond) -> None:
    _wire(settings, db, clock, fake_channel)
    clock.set(datetime(2026, 11, 24, 23, 50, tzinfo=IST))
    _say(clock, 1)
    clock.set(datetime(2026, 11, 25, 0, 10, tzinfo=IST))  # a new calendar day, but only 20 minutes later
    _say(clock, 2)
    assert len(fake_channel.sent[STRANGER]) == 1
    clock.set(datetime(2026, 11, 25, 23, 55, tzinfo=IST))  # 24 h 5 min after the answer
    _say(clock, 3)
    clock.set(datetime(2026, 11, 25, 23, 59, tzinfo=IST))
    _say(clock, 4)
    assert len(fake_channel.sent[STRANGER]) == 2
    assert len(inbound(db)) == 4


def test_each_unregistered_number_gets_its_own_answer(settings, db, clock, fake_channel, respond) -> None:
    _wire(settings, db, clock, fake_channel)
    for n, phone in enumerate(["+919811122334", "+919811122335", "+919811122336"]):
        process_queue_message(envelope("hello", f"m{n}", clock.now(), sender=phone))
        process_queue_message(envelope("hello again", f"m{n}-2", clock.now(), sender=phone))
    assert {phone: len(texts) for phone, texts in fake_channel.sent.items()} == {
        "+919811122334": 1,
        "+919811122335": 1,
        "+919811122336": 1,
    }


@pytest.mark.postgres
def test_messages_at_the_same_moment_are_answered_once_on_postgres(settings, pg_db, clock, fake_channel, respond):
    _wire(settings, pg_db, clock, fake_channel)
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def say(n: int) -> None:
        try:
            barrier.wait()
            _say(clock, n)
        except BaseException as exc:  # an error would make the queue retry; none is expected
            errors.append(exc)

    threads = [threading.Thread(target=say, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(fake_channel.sent[STRANGER]) == 1
    assert len(inbound(pg_db)) == 6


@pytest.mark.parametrize("database", ["db", pytest.param("pg_db", marks=pytest.mark.postgres)])
def test_losing_the_race_for_todays_answer_records_the_message_unanswered(
    request, settings, clock, fake_channel, respond, monkeypatch, database
):
    # Two workers both saw "not answered today"; the other one inserted today's answer first.
    db = request.getfixturevalue(database)
    _wire(settings, db, clock, fake_channel)
    _say(clock, 1)
    checked = process._unregistered_reply_key
    monkeypatch.setattr(process, "_unregistered_reply_key", lambda c, s, phone: "unregistered:" + phone + ":2026-11-24")
    _say(clock, 2)
    monkeypatch.setattr(process, "_unregistered_reply_key", checked)
    rows = inbound(db)
    assert [(r.status, (r.result or {}).get("answered")) for r in rows] == [("done", True), ("done", False)]
    assert len(fake_channel.sent[STRANGER]) == 1 and count(db, Outbox) == 1
