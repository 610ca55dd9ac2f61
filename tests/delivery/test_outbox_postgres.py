"""Concurrent sweeps on PostgreSQL: SKIP LOCKED + the conditional UPDATE never send a row twice."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest

from crm_core.composition import Container
from crm_core.delivery.outbox_delivery import deliver_now, run_sweep
from crm_core.ports import OutgoingMessage, SendResult
from tests.delivery.helpers import add_rows, outbox

pytestmark = pytest.mark.postgres


class CountingChannel:
    """Thread-safe recorder that yields the CPU on each send so sweeps interleave."""

    def __init__(self) -> None:
        self.counts: Counter[int] = Counter()
        self.by_thread: Counter[str] = Counter()
        self._lock = threading.Lock()

    def send(self, message: OutgoingMessage) -> SendResult:
        time.sleep(0.001)
        with self._lock:
            assert message.outbox_id is not None
            self.counts[message.outbox_id] += 1
            self.by_thread[threading.current_thread().name] += 1
        return SendResult(provider_message_id=f"m{message.outbox_id}")


def _run_parallel(targets):
    barrier = threading.Barrier(len(targets))
    errors: list[BaseException] = []

    def wrap(fn):
        def run():
            try:
                barrier.wait()
                fn()
            except BaseException as exc:
                errors.append(exc)

        return run

    threads = [threading.Thread(target=wrap(fn), name=f"sweep-{i}") for i, fn in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_two_sweeps_at_once_never_double_send(settings, pg_db, clock):
    channel = CountingChannel()
    container = Container(settings, database=pg_db, clock=clock, whatsapp=channel)
    ids = add_rows(pg_db, 300, clock.now())
    _run_parallel([lambda: run_sweep(container, batch_size=20), lambda: run_sweep(container, batch_size=20)])
    assert set(channel.counts) == set(ids)
    assert max(channel.counts.values()) == 1
    rows = outbox(pg_db)
    assert all(r.status == "sent" and r.attempts == 1 for r in rows)


def test_sweep_racing_post_commit_delivery_sends_once(settings, pg_db, clock):
    channel = CountingChannel()
    container = Container(settings, database=pg_db, clock=clock, whatsapp=channel)
    ids = add_rows(pg_db, 120, clock.now())
    _run_parallel(
        [
            lambda: run_sweep(container, batch_size=10),
            lambda: deliver_now(container, ids),
            lambda: deliver_now(container, list(reversed(ids))),
        ]
    )
    assert set(channel.counts) == set(ids)
    assert max(channel.counts.values()) == 1
