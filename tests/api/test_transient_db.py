"""A database that pauses (Azure SQL serverless resume) is ridden out on reads, and is a clean 503 when it lasts."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError


class _Resuming(Exception):
    pass


def _fail_first_selects(engine, times: int) -> list[int]:
    calls = [0]

    def before(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and calls[0] < times:
            calls[0] += 1
            raise OperationalError(statement, params, _Resuming("Database 'crm' is not currently available (40613)"))

    event.listen(engine, "before_cursor_execute", before)
    return calls


@pytest.fixture
def engine(api_container):
    """The test database's engine (a fresh one per test, so the listener dies with it)."""
    return api_container.database.engine


def test_a_read_rides_out_a_brief_outage(client, world, engine) -> None:
    calls = _fail_first_selects(engine, 2)
    r = client.get(f"/api/leads/{world.users['m1a'].id}", token=world.token("m1a"))
    assert r.status == 200, r.body
    assert calls[0] == 2
    assert [item["company"] for item in r.json["items"]] == ["Acme Traders"]


def test_a_lasting_outage_is_a_clean_503_with_retry_after(client, world, engine) -> None:
    _fail_first_selects(engine, 1000)
    r = client.get(f"/api/leads/{world.users['m1a'].id}", token=world.token("m1a"))
    assert r.status == 503
    assert r.json["error"]["code"] == "unavailable"
    assert r.headers.get("Retry-After") == "5"
