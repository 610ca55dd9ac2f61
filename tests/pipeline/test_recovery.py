"""Stranded inbound messages: re-enqueued once by the timer, then poisoned with one apology."""

from __future__ import annotations

from datetime import timedelta

import pytest

import crm_core.pipeline.process as process
from crm_core.composition import Container, set_container
from crm_core.pipeline.process import process_queue_message, record_inbound
from crm_core.pipeline.recovery import recover_stranded
from tests.delivery.helpers import add_user
from tests.pipeline.support import PHONE, FakeQueue, FakeRespond, envelope, inbound


@pytest.fixture
def wired(settings, db, clock, fake_channel, monkeypatch):
    queue = FakeQueue()
    respond = FakeRespond()
    monkeypatch.setattr(process, "_respond", respond)
    c = Container(settings, database=db, clock=clock, whatsapp=fake_channel, queue=queue, parser=object())  # type: ignore[arg-type]
    set_container(c)
    add_user(db)
    return c, queue, respond


def test_stranded_message_is_re_enqueued_then_applied(wired, db, clock, fake_channel):
    c, queue, respond = wired
    body = envelope("New lead: Sharma Traders", "m1", clock.now())
    record_inbound(c, process.Envelope.from_json(body))  # recorded, then its queue message was lost
    assert recover_stranded(c) == 0  # too recent: its own retries may still be running
    clock.advance(timedelta(minutes=31))
    assert recover_stranded(c) == 1
    ((again, delay),) = queue.sent
    assert delay == 0 and process.Envelope.from_json(again).message_id == "m1"
    assert recover_stranded(c) == 0  # not twice in a row
    process_queue_message(again)
    assert respond.calls == ["New lead: Sharma Traders"]
    assert fake_channel.sent[PHONE] == ["Lead created: Sharma Traders"]


def test_still_stranded_after_a_re_enqueue_becomes_poison_with_one_apology(wired, db, clock, fake_channel):
    c, _queue, respond = wired
    record_inbound(c, process.Envelope.from_json(envelope("New lead: Sharma Traders", "m1", clock.now())))
    clock.advance(timedelta(minutes=31))
    recover_stranded(c)
    clock.advance(timedelta(minutes=31))  # the re-enqueued copy was lost too
    assert recover_stranded(c) == 1
    assert inbound(db)[0].status == "poison"
    assert len(fake_channel.sent[PHONE]) == 1 and "could not process" in fake_channel.sent[PHONE][0]
    clock.advance(timedelta(minutes=31))
    assert recover_stranded(c) == 0
    assert respond.calls == []


def test_voice_note_kind_survives_the_re_enqueue(wired, db, clock, fake_channel):
    c, queue, _ = wired
    record_inbound(c, process.Envelope.from_json(envelope("", "v1", clock.now(), kind="unsupported", media_type="ptt")))
    clock.advance(timedelta(minutes=31))
    recover_stranded(c)
    env = process.Envelope.from_json(queue.sent[0][0])
    assert (env.kind, env.media_type) == ("unsupported", "ptt")
    process_queue_message(queue.sent[0][0])
    assert "type it" in fake_channel.sent[PHONE][0]
