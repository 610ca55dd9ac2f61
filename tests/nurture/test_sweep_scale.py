"""The sweep at scale: two sweeps at once never double-send (PostgreSQL); 10,000 due reminders are swept in
bounded batches with a bounded number of SQL statements per batch and bounded memory (counts, never timings)."""

from __future__ import annotations

import gc
import threading
import weakref
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from sqlalchemy import event, func, insert, select

from crm_core.clock import FixedClock
from crm_core.composition import Container
from crm_core.db.models import Outbox
from crm_core.db.session import Database
from crm_core.delivery import outbox_delivery
from crm_core.delivery.outbox_delivery import run_sweep
from crm_core.ports import OutgoingMessage, SendResult
from crm_core.settings import Settings
from tests.nurture.conftest import make_team

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def _due_reminders(db: Database, user_id: int, phone: str, lead_id: int, n: int) -> None:
    """Insert n due reminders in a few multi-row INSERTs."""
    rows: list[dict[str, Any]] = [
        {
            "recipient": phone,
            "recipient_user_id": user_id,
            "channel": "whatsapp",
            "kind": "reminder",
            "body": f"Follow-up for lead {lead_id} #{i}",
            "due_at": NOW - timedelta(minutes=1 + i % 50),
            "urgent": False,
            "status": "pending",
            "attempts": 0,
            "lead_id": lead_id,
            "dedupe_key": f"scale:{i}",
        }
        for i in range(n)
    ]
    with db.transaction() as s:
        for startix in range(0, n, 2000):
            s.execute(insert(Outbox), rows[startix : startix + 2000])


class CountingChannel:
    """A thread-safe channel that counts sends per outbox row (and keeps no message bodies)."""

    def __init__(self, delay_every: int = 0) -> None:
        self.per_row: Counter[int] = Counter()
        self.lock = threading.Lock()
        self.delay_every = delay_every

    def send(self, message: OutgoingMessage) -> SendResult:
        with self.lock:
            self.per_row[message.outbox_id or 0] += 1
            n = sum(self.per_row.values())
        if self.delay_every and n % self.delay_every == 0:
            threading.Event().wait(0.001)  # let the other sweep interleave
        return SendResult(provider_message_id=f"p-{message.outbox_id}")


@contextmanager
def counting(db: Database) -> Iterator[tuple[list[int], list[int]]]:
    """At each claim (batch boundary): the statements sent so far, and how many outbox rows are still in memory."""
    count = [0]
    marks: list[int] = []
    alive_at_claim: list[int] = []
    loaded: weakref.WeakSet[Outbox] = weakref.WeakSet()

    def on_execute(*_: Any) -> None:
        count[0] += 1

    def on_load(target: Outbox, _context: Any) -> None:
        loaded.add(target)

    original = outbox_delivery.claim

    def claim(*args: Any, **kw: Any) -> Any:
        marks.append(count[0])
        gc.collect(0)
        alive_at_claim.append(len(loaded))
        return original(*args, **kw)

    event.listen(db.engine, "before_cursor_execute", on_execute)
    event.listen(Outbox, "load", on_load)
    outbox_delivery.claim = claim  # type: ignore[assignment]
    try:
        yield marks, alive_at_claim
    finally:
        outbox_delivery.claim = original
        event.remove(db.engine, "before_cursor_execute", on_execute)
        event.remove(Outbox, "load", on_load)
        marks.append(count[0])


def _sweep_and_measure(
    settings: Settings, db: Database, n: int, batch: int
) -> tuple[list[int], list[int], CountingChannel]:
    """Sweep n due reminders; return statements per batch, outbox rows alive at each claim, and the channel."""
    team = make_team(db, NOW)
    amit = team.user("amit")
    _due_reminders(db, amit.id, amit.phone, team.lead.id, n)  # type: ignore[union-attr]
    channel = CountingChannel()
    container = Container(settings, database=db, clock=FixedClock(NOW), whatsapp=channel)
    with counting(db) as (marks, alive):
        stats = run_sweep(container, now=NOW, batch_size=batch)
    assert stats.sent == n and stats.claimed == n
    per_batch = [b - a for a, b in pairwise(marks)]
    return per_batch, alive, channel


def test_ten_thousand_due_reminders_bounded_statements_and_memory(settings: Settings, db: Database) -> None:
    batch = 200
    per_batch, alive, channel = _sweep_and_measure(settings, db, 10_000, batch)
    assert len(channel.per_row) == 10_000 and set(channel.per_row.values()) == {1}
    assert len(per_batch) == 10_000 // batch + 1  # full batches, then one claim that finds nothing
    # Per batch: a constant few for the claim plus a constant per row (its outcome), never a scan per row.
    bound = 10 + 4 * batch
    assert max(per_batch) <= bound, per_batch
    assert per_batch[-1] <= 10  # the empty claim at the end
    with db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Outbox).where(Outbox.status == "sent")) == 10_000
    # Memory is bounded by the batch, not the backlog: at most one batch of rows is ever held.
    assert len(alive) == len(per_batch) and max(alive) <= batch, max(alive)


def test_statements_per_batch_do_not_grow_with_the_backlog(settings: Settings, db: Database, tmp_path: Any) -> None:
    small_db = Database(f"sqlite:///{tmp_path / 'small.db'}")
    from crm_core.db.migrate import upgrade

    upgrade(small_db.engine)
    try:
        small, _, _ = _sweep_and_measure(settings, small_db, 300, 50)
    finally:
        small_db.dispose()
    large, _, _ = _sweep_and_measure(settings, db, 1_500, 50)
    assert max(large[:-1]) == max(small[:-1])  # same statements for a full batch whatever the backlog


@pytest.mark.postgres
def test_two_sweeps_at_once_never_send_a_message_twice(settings: Settings, pg_db: Database) -> None:
    n = 1_500
    team = make_team(pg_db, NOW)
    amit = team.user("amit")
    _due_reminders(pg_db, amit.id, amit.phone, team.lead.id, n)  # type: ignore[union-attr]
    channel = CountingChannel(delay_every=25)
    containers = [Container(settings, database=pg_db, clock=FixedClock(NOW), whatsapp=channel) for _ in range(2)]
    results: list[Any] = [None, None]
    barrier = threading.Barrier(2)

    def worker(i: int) -> None:
        barrier.wait()
        results[i] = run_sweep(containers[i], now=NOW, batch_size=50)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert all(r is not None for r in results), "a sweep did not finish"
    assert len(channel.per_row) == n and max(channel.per_row.values()) == 1
    assert results[0].sent + results[1].sent == n
    assert results[0].sent > 0 and results[1].sent > 0  # both sweeps really worked at the same time
    with pg_db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Outbox).where(Outbox.status == "sent")) == n


@pytest.mark.postgres
def test_two_sweeps_planning_the_digest_at_once_write_one_per_user(settings: Settings, pg_db: Database) -> None:
    from crm_core.db.models import Event
    from crm_core.nurture.digest import plan_digests

    team = make_team(pg_db, NOW)
    with pg_db.transaction() as s:
        for name in ("amit", "neha", "priya"):
            s.add(
                Event(
                    lead_id=team.lead.id,
                    kind="meeting",
                    starts_at=NOW + timedelta(hours=3),  # type: ignore[union-attr]
                    assignee_id=team.user(name).id,
                    status="scheduled",
                )
            )
    at = datetime(2026, 11, 25, 3, 31, tzinfo=UTC)  # 09:01 IST
    barrier = threading.Barrier(4)
    added: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            with pg_db.transaction() as s:
                added.append(plan_digests(s, at, settings))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    with pg_db.transaction() as s:
        keys = list(s.scalars(select(Outbox.dedupe_key).where(Outbox.kind == "digest")))
    assert len(keys) == 3 == sum(added) and len(set(keys)) == 3
