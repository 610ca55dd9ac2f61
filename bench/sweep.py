"""Sweep: time, peak memory and statements per batch to deliver due reminders through a fake channel."""

from __future__ import annotations

import importlib
import math
import time
import tracemalloc
from typing import Any

from bench.common import NOW, Run, StatementCounter, Target, bench_settings, figure, sqlite_database
from bench.fakes import CountingChannel, ListQueue
from bench.seed import bulk_due_reminders

SECTION = "sweep"
TIME = Target("<=", 10, "≤ 10 s")
MEMORY = Target("<=", 150, "≤ 150 MB")
MAX_ROUNDS = 10_000


def _drain(container: Any, channel: CountingChannel, want: int) -> int:
    """Call the sweep until every due row is sent or a round sends nothing; the number of rounds."""
    from crm_core.delivery.sweep import run_sweep

    rounds = 0
    while channel.total < want and rounds < MAX_ROUNDS:
        before = channel.total
        run_sweep(container, now=NOW)
        rounds += 1
        if channel.total == before:
            break
    return rounds


def _sent_rows(db: Any) -> int:
    from sqlalchemy import func, select

    from crm_core.db.models import Outbox

    with db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(Outbox).where(Outbox.status == "sent")) or 0)


def measure(run: Run) -> None:
    """Insert due reminders, sweep them (timed), then again under tracemalloc (peak memory)."""
    from crm_core.clock import FixedClock
    from crm_core.composition import Container, set_container

    importlib.import_module("crm_core.delivery.sweep")  # fail early, clearly, when the piece is missing
    n = run.sizes.sweep_reminders
    with sqlite_database(run, "sweep") as db:
        settings = bench_settings(str(db.engine.url))
        channel = CountingChannel()
        container = Container(settings, database=db, clock=FixedClock(NOW), whatsapp=channel, queue=ListQueue())
        set_container(container)
        bulk_due_reminders(db, n, NOW)
        counter = StatementCounter(db.engine)
        with counter:
            start = time.perf_counter()
            rounds = _drain(container, channel, n)
            seconds = time.perf_counter() - start
        statements = counter.count
        sent_timed = channel.total
        rows_sent = _sent_rows(db)

        bulk_due_reminders(db, n, NOW)
        channel_mem = CountingChannel()
        container = Container(settings, database=db, clock=FixedClock(NOW), whatsapp=channel_mem, queue=ListQueue())
        set_container(container)
        tracemalloc.start()
        try:
            _drain(container, channel_mem, n)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    batches = max(1, math.ceil(n / settings.sweep_batch_size))
    note = f"{sent_timed:,}/{n:,} sent ({rows_sent:,} rows marked sent) in {rounds} sweep call(s)"
    run.add(
        figure(SECTION, f"deliver {n:,} due reminders", round(seconds, 2), "s", TIME, note),
        figure(
            SECTION,
            f"peak memory delivering {n:,} reminders",
            round(peak / 1e6, 1),
            "MB",
            MEMORY,
            f"tracemalloc peak (Python allocations); {channel_mem.total:,} sent",
        ),
        figure(
            SECTION,
            "statements per batch",
            round(statements / batches, 1),
            "statements",
            note=f"{statements:,} statements / {batches} batches of {settings.sweep_batch_size}",
        ),
    )
