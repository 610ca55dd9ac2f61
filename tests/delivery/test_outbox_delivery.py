"""Outbox delivery on SQLite: claim once, send, retry with back-off, dead letters, quiet hours, batches."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from crm_core.composition import Container
from crm_core.delivery.channels import MaytapiChannel
from crm_core.delivery.outbox_delivery import backoff, claim, dead_letters, deliver_now, requeue_dead, run_sweep
from crm_core.ports import SendError
from tests.delivery.helpers import add_rows, outbox
from tests.fakes.maytapi_server import MaytapiFake

IST = ZoneInfo("Asia/Kolkata")


def test_due_rows_are_sent_once_and_marked_sent(container, db, clock, fake_channel):
    ids = add_rows(db, 3, clock.now())
    stats = run_sweep(container)
    assert stats.sent == 3
    assert fake_channel.sent["+919876543210"] == ["msg 0", "msg 1", "msg 2"]
    rows = outbox(db)
    assert [r.status for r in rows] == ["sent"] * 3
    assert all(r.attempts == 1 and r.sent_at == clock.now() and r.provider_message_id for r in rows)
    assert all(r.claim_token is None for r in rows)
    assert run_sweep(container).sent == 0  # nothing twice
    assert deliver_now(container, ids).sent == 0
    assert len(fake_channel.messages) == 3


def test_future_rows_wait_for_their_time(container, db, clock, fake_channel):
    add_rows(db, 1, clock.now() + timedelta(minutes=5))
    assert run_sweep(container).sent == 0
    assert run_sweep(container, now=clock.now() + timedelta(minutes=5)).sent == 1


def test_app_rows_are_marked_sent_without_a_whatsapp_send(container, db, clock, fake_channel):
    add_rows(db, 2, clock.now(), to="1", channel="app")
    assert run_sweep(container).sent == 2
    assert fake_channel.messages == []
    assert [r.status for r in outbox(db)] == ["sent", "sent"]


def test_transient_failure_retries_with_exponential_backoff(container, db, clock, fake_channel):
    add_rows(db, 1, clock.now())
    fake_channel.fail_with = SendError("HTTP 500", permanent=False)
    run_sweep(container)
    row = outbox(db)[0]
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.due_at == clock.now() + timedelta(seconds=30)
    assert "HTTP 500" in (row.last_error or "")
    clock.advance(timedelta(seconds=30))
    run_sweep(container)
    row = outbox(db)[0]
    assert row.attempts == 2 and row.due_at == clock.now() + timedelta(seconds=60)
    fake_channel.fail_with = None
    clock.advance(timedelta(seconds=60))
    assert run_sweep(container).sent == 1
    assert outbox(db)[0].status == "sent"


def test_backoff_is_capped():
    assert backoff(1) == timedelta(seconds=30)
    assert backoff(3) == timedelta(seconds=120)
    assert backoff(30) == timedelta(hours=1)


def test_dead_after_max_attempts_with_error_kept_and_logged(container, db, clock, fake_channel, caplog):
    (row_id,) = add_rows(db, 1, clock.now())
    fake_channel.fail_with = SendError("Maytapi HTTP 502: bad gateway", permanent=False)
    caplog.set_level(logging.ERROR, logger="crm_core.delivery")
    for _ in range(container.settings.outbox_max_attempts):
        run_sweep(container)
        clock.advance(timedelta(hours=2))
    row = outbox(db)[0]
    assert row.status == "dead"
    assert row.attempts == container.settings.outbox_max_attempts
    assert "502" in (row.last_error or "")
    dead_logs = [r for r in caplog.records if r.name == "crm_core.delivery" and "outbox dead" in r.getMessage()]
    assert len(dead_logs) == 1 and str(row_id) in dead_logs[0].getMessage()
    with db.sessions() as session:
        assert [r.id for r in dead_letters(session, 10)] == [row_id]
    assert run_sweep(container).claimed == 0


def test_permanent_failure_is_dead_at_once(container, db, clock, fake_channel):
    add_rows(db, 1, clock.now())
    fake_channel.fail_with = SendError("Maytapi HTTP 400: invalid number", permanent=True)
    stats = run_sweep(container)
    assert stats.dead == 1
    row = outbox(db)[0]
    assert (row.status, row.attempts) == ("dead", 1)


def test_admin_can_requeue_a_dead_row(container, db, clock, fake_channel):
    (row_id,) = add_rows(db, 1, clock.now())
    fake_channel.fail_with = SendError("nope", permanent=True)
    run_sweep(container)
    fake_channel.fail_with = None
    with db.transaction() as session:
        assert requeue_dead(session, row_id, clock.now()) is True
        assert requeue_dead(session, row_id, clock.now()) is False
    assert run_sweep(container).sent == 1


def test_quiet_hours_defer_non_urgent_rows_to_the_morning(container, db, clock, fake_channel):
    late = datetime(2026, 11, 24, 22, 30, tzinfo=IST)
    clock.set(late)
    add_rows(db, 1, late, urgent=False, prefix="reminder")
    add_rows(db, 1, late, urgent=True, prefix="reply")
    stats = run_sweep(container)
    assert stats.sent == 1 and stats.deferred == 1
    assert fake_channel.sent["+919876543210"] == ["reply 0"]
    reminder = outbox(db)[0]
    assert reminder.status == "pending"
    assert reminder.due_at == datetime(2026, 11, 25, 9, 0, tzinfo=IST)
    clock.set(datetime(2026, 11, 25, 9, 0, tzinfo=IST))
    assert run_sweep(container).sent == 1
    assert fake_channel.sent["+919876543210"] == ["reply 0", "reminder 0"]


def test_quiet_hours_after_midnight_end_the_same_morning(container, db, clock, fake_channel):
    early = datetime(2026, 11, 25, 6, 0, tzinfo=IST)
    clock.set(early)
    add_rows(db, 1, early, urgent=False)
    run_sweep(container)
    assert outbox(db)[0].due_at == datetime(2026, 11, 25, 9, 0, tzinfo=IST)


def test_stale_claim_is_taken_over(container, db, clock, fake_channel):
    (row_id,) = add_rows(db, 1, clock.now())
    rows, _ = claim(container, clock.now(), 10)  # a worker that claims and then dies
    assert [r.id for r in rows] == [row_id]
    assert run_sweep(container).claimed == 0  # still leased
    clock.advance(timedelta(hours=2))
    assert run_sweep(container).sent == 1
    assert len(fake_channel.messages) == 1


def test_sweep_works_in_bounded_batches(container, db, clock, fake_channel):
    add_rows(db, 25, clock.now())
    batches: list[int] = []
    import crm_core.delivery.outbox_delivery as od

    real_claim = od.claim

    def counting_claim(c, now, limit, ids=None):
        rows, deferred = real_claim(c, now, limit, ids)
        batches.append(len(rows))
        return rows, deferred

    od.claim = counting_claim
    try:
        stats = run_sweep(container, batch_size=10)
    finally:
        od.claim = real_claim
    assert stats.sent == 25
    assert batches == [10, 10, 5, 0]
    assert len(set(fake_channel.sent["+919876543210"])) == 25


def test_deliver_now_only_sends_the_given_due_rows(container, db, clock, fake_channel):
    first = add_rows(db, 2, clock.now(), prefix="a")
    add_rows(db, 2, clock.now(), prefix="b")
    later = add_rows(db, 1, clock.now() + timedelta(days=1), prefix="c")
    stats = deliver_now(container, first + later)
    assert stats.sent == 2
    assert fake_channel.sent["+919876543210"] == ["a 0", "a 1"]


def test_maytapi_outage_then_recovery_delivers_each_message_exactly_once(settings, db, clock):
    with MaytapiFake() as fake:
        channel = MaytapiChannel(fake.send_url, fake.token, timeout_seconds=5)
        container = Container(settings, database=db, clock=clock, whatsapp=channel)
        add_rows(db, 5, clock.now())
        fake.fail(12, status=500)  # down for a while
        for _ in range(4):
            run_sweep(container)
            clock.advance(timedelta(minutes=10))
        while any(r.status != "sent" for r in outbox(db)):
            assert run_sweep(container).dead == 0
            clock.advance(timedelta(minutes=10))
        texts = fake.texts_to("+919876543210")
        assert sorted(texts) == [f"msg {i}" for i in range(5)]  # each exactly once
        assert len(fake.requests) == 12 + 5
        assert all(r.status == "sent" and r.provider_message_id for r in outbox(db))


@pytest.mark.parametrize("urgent", [True, False])
def test_sweep_at_an_explicit_moment(container, db, clock, fake_channel, urgent):
    add_rows(db, 1, clock.now() + timedelta(days=1), urgent=urgent)
    at = clock.now() + timedelta(days=1, minutes=1)  # 10:01 IST the next day, outside quiet hours
    assert run_sweep(container, now=at).sent == 1
