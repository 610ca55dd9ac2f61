"""The queue function on PostgreSQL under real concurrency: copies at once, a sender's messages at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

import crm_core.pipeline.process as process
from crm_core.composition import Container, set_container
from crm_core.db.models import Lead, Outbox
from crm_core.pipeline.process import process_poison_message, process_queue_message
from tests.delivery.helpers import add_user
from tests.pipeline.support import PHONE, FakeQueue, FakeRespond, count, envelope, inbound, seconds

pytestmark = pytest.mark.postgres


@pytest.fixture
def respond(monkeypatch) -> FakeRespond:
    fake = FakeRespond()
    monkeypatch.setattr(process, "_respond", fake)
    return fake


def _wire(settings, pg_db, clock, fake_channel, window: float = 0.0) -> FakeQueue:
    queue = FakeQueue()
    s = settings.model_copy(update={"ordering_window_seconds": window})
    set_container(Container(s, database=pg_db, clock=clock, whatsapp=fake_channel, queue=queue, parser=object()))  # type: ignore[arg-type]
    return queue


def run_at_once(*calls: Callable[[], None]) -> list[BaseException]:
    """Start every call at the same moment in its own thread; return what they raised."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def wrap(fn: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                barrier.wait()
                fn()
            except BaseException as exc:
                errors.append(exc)

        return run

    threads = [threading.Thread(target=wrap(fn)) for fn in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_five_concurrent_redeliveries_make_one_lead_and_one_reply(settings, pg_db, clock, fake_channel, respond):
    add_user(pg_db)
    _wire(settings, pg_db, clock, fake_channel)
    body = envelope("New lead: Sharma Traders", "3EB0-dup", clock.now())
    errors = run_at_once(*[lambda i=i: process_queue_message(body, dequeue_count=i + 1) for i in range(5)])
    assert errors == []
    assert count(pg_db, Lead) == 1
    assert respond.calls == ["New lead: Sharma Traders"]
    assert count(pg_db, Outbox) == 1
    assert fake_channel.sent[PHONE] == ["Lead created: Sharma Traders"]
    assert [r.status for r in inbound(pg_db)] == ["done"]


def test_dependent_messages_handed_over_together_apply_in_order(settings, pg_db, clock, fake_channel, respond):
    add_user(pg_db)
    queue = _wire(settings, pg_db, clock, fake_channel, window=2.0)
    t0 = clock.now() - timedelta(hours=1)  # a backlog: both are old when the queue hands them over
    first = envelope("New lead: Sharma Traders", "m1", t0)
    second = envelope("Lead qualified for Sharma Traders", "m2", t0 + seconds(3))
    assert run_at_once(lambda: process_queue_message(second), lambda: process_queue_message(first)) == []
    assert respond.calls == []  # both deferred: neither knows yet whether the other exists
    assert len(queue.sent) == 2
    clock.advance(seconds(3))
    again = [body for body, _ in reversed(queue.sent)]
    assert run_at_once(*[lambda b=b: process_queue_message(b) for b in again]) == []
    assert respond.calls == ["New lead: Sharma Traders", "Lead qualified for Sharma Traders"]
    with pg_db.sessions() as session:
        assert session.scalar(select(Lead.status)) == "qualified"
    assert fake_channel.sent[PHONE] == ["Lead created: Sharma Traders", "Sharma Traders is qualified ✅"]


def test_poison_racing_a_late_success_gives_one_outcome(settings, pg_db, clock, fake_channel, respond):
    add_user(pg_db)
    _wire(settings, pg_db, clock, fake_channel)
    body = envelope("New lead: Sharma Traders", "m1", clock.now())
    errors = run_at_once(lambda: process_queue_message(body, dequeue_count=5), lambda: process_poison_message(body))
    assert errors == []
    (row,) = inbound(pg_db)
    sent = fake_channel.sent[PHONE]
    assert len(sent) == 1
    if row.status == "done":
        assert count(pg_db, Lead) == 1 and sent == ["Lead created: Sharma Traders"]
    else:
        assert row.status == "poison" and count(pg_db, Lead) == 0 and "could not process" in sent[0]
