"""Crafted page cursors — valid JSON, a valid ISO datetime that overflows when converted to UTC, garbage, wrong
types — answer a clean 422 `invalid_cursor` on leads, activities and history, never a 5xx."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import pytest

from crm_core.composition import Container, set_container
from tests.api.client import ApiClient
from tests.api.conftest import RecordingQueue, seed_world


def _cursor(parts) -> str:
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")


# (what the cursor's time is, the value)
TIMES = [
    ("overflows below year 1 in UTC", "0001-01-01T00:00:00+14:00"),
    ("overflows above year 9999 in UTC", "9999-12-31T23:59:59-14:00"),
    ("overflows by minutes", "0001-01-01T00:30:00+01:00"),
    ("year 1 naive", "0001-01-01T00:00:00"),
    ("year 9999 naive", "9999-12-31T23:59:59.999999"),
    ("a number", 1764000000),
    ("a float", 1.5e308),
    ("a list", ["2026-01-01T00:00:00"]),
    ("an object", {"at": "2026-01-01"}),
    ("null", None),
    ("true", True),
    ("an ISO week", "2026-W01"),
    ("nanoseconds", "2026-01-01T00:00:00.123456789"),
    ("an offset of 25 hours", "2026-01-01T00:00:00+25:00"),
    ("a long string", "2026-01-01T00:00:00" + " " * 500),
]
IDS = [
    ("a float id", 1.0),
    ("a string id", "1"),
    ("2**63", 2**63),
    ("a huge id", 10**400),
    ("a negative id", -1),
]


def _parts(route: str, at, row_id) -> list:
    """A cursor's key: (time, id) for leads and activities, (time, source rank, id, step) for history."""
    return [at, 1, row_id, 0] if route == "history" else [at, row_id]


def _route_cases() -> Iterator[tuple[str, str, list]]:
    for route in ("leads", "activities", "history"):
        for label, value in TIMES:
            yield route, label, _parts(route, value, 7)
        for label, value in IDS:
            yield route, label, _parts(route, "2026-11-20T10:00:00+00:00", value)


CASES = list(_route_cases())


def _get(client, w, route: str, cursor: str):
    target = w.users["m1a"].id if route == "leads" else w.leads["m1a"].id
    return client.get(f"/api/{route}/{target}?cursor={cursor}", token=w.token("m1a"))


@pytest.mark.parametrize(("route", "label", "parts"), CASES, ids=[f"{r}-{label}" for r, label, _ in CASES])
def test_a_crafted_cursor_is_a_clean_422(client, world, route, label, parts):
    r = _get(client, world, route, _cursor(parts))
    assert r.status == 422, (label, r.status, r.body)
    assert r.error_code in ("invalid_cursor", "validation_error")  # the latter: longer than a cursor can be


@pytest.mark.parametrize("route", ["leads", "activities", "history"])
def test_garbage_cursors_are_a_clean_422(client, world, route):
    garbage = ["A", "____", "e30", _cursor("not a list"), _cursor([]), base64.urlsafe_b64encode(b"\xff\xfe").decode()]
    for cursor in garbage:
        r = _get(client, world, route, cursor.rstrip("="))
        assert r.status == 422 and r.error_code == "invalid_cursor", (cursor, r.body)


@pytest.mark.parametrize("route", ["leads", "activities", "history"])
def test_a_real_cursor_still_works(client, world, route):
    for at in ("2026-11-30T10:00:00+05:30", "2026-11-30T04:30:00.123456+00:00", "2026-11-30T04:30:00"):
        r = _get(client, world, route, _cursor(_parts(route, at, 999999)))
        assert r.status == 200, (at, r.body)


@pytest.mark.postgres
def test_crafted_cursors_on_postgres(pg_db, settings, clock, fake_channel):
    c = Container(settings, database=pg_db, clock=clock, whatsapp=fake_channel, queue=RecordingQueue())
    set_container(c)
    w, client = seed_world(c), ApiClient()
    for route, label, parts in CASES:
        r = _get(client, w, route, _cursor(parts))
        assert r.status == 422, (route, label, r.status, r.body)
