"""How many SQL statements one queue message costs (issue 8: ≤ 8 per command, flat in the number of leads).

Counted like bench/processing.py: every statement the engine sends (SQLite's BEGIN IMMEDIATE included) while
process_queue_message records, applies and delivers one message. The limits are what the pipeline achieves
today; a change that adds a round trip to every message makes these fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from crm_core.composition import Container, set_container
from crm_core.db.models import Lead, Outbox
from crm_core.pipeline.process import process_queue_message
from tests.delivery.helpers import add_user
from tests.pipeline.support import PHONE, count, envelope, seconds

# statements per message: (SQLite, PostgreSQL)
HELP_LIMIT = {"sqlite": 10, "postgresql": 7}
NEW_LEAD_LIMIT = {"sqlite": 13, "postgresql": 10}


@contextmanager
def counting(db: Any) -> Iterator[list[str]]:
    """Collect every statement sent to the database's engine."""
    seen: list[str] = []

    def on_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", on_execute)


def _statements_per_message(settings, database, clock, fake_channel) -> dict[str, int]:
    set_container(Container(settings, database=database, clock=clock, whatsapp=fake_channel))
    add_user(database)
    script = [
        ("warm-up", "help"),  # first message: one-time costs (imports, first connection)
        ("help", "help"),
        ("new_lead", "New lead: Sharma Traders, Ravi Kumar, 9400000001, IndiaMART"),
    ]
    counts: dict[str, int] = {}
    try:
        for n, (name, text) in enumerate(script):
            clock.advance(seconds(20))
            body = envelope(text, f"count-{n}", clock.now())
            with counting(database) as seen:
                process_queue_message(body)
            counts[name] = len(seen)
    finally:
        set_container(None)
    assert count(database, Lead) == 1
    assert len(fake_channel.sent[PHONE]) == 3
    assert count(database, Outbox, Outbox.status != "sent") == 0
    return counts


def test_statements_per_message_on_sqlite(settings, db, clock, fake_channel):
    counts = _statements_per_message(settings, db, clock, fake_channel)
    assert counts["help"] <= HELP_LIMIT["sqlite"], counts
    assert counts["new_lead"] <= NEW_LEAD_LIMIT["sqlite"], counts


@pytest.mark.postgres
def test_statements_per_message_on_postgres(settings, pg_db, clock, fake_channel):
    counts = _statements_per_message(settings, pg_db, clock, fake_channel)
    assert counts["help"] <= HELP_LIMIT["postgresql"], counts
    assert counts["new_lead"] <= NEW_LEAD_LIMIT["postgresql"], counts
