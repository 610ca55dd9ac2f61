"""History paged in SQL: keyset per source, merged; equal timestamps across a page boundary; bounded statements."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from sqlalchemy import event

from crm_core.composition import Container, set_container
from crm_core.db.models import Activity, Event, InboundMessage, Outbox
from tests.api.client import ApiClient
from tests.api.conftest import RecordingQueue, seed_world

RANK = {"lead": 0, "activity": 1, "event": 2, "outbox": 3, "inbound": 4}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def env(request, settings, clock, fake_channel):
    """A seeded world and a client, on SQLite and (when TEST_DATABASE_URL is set) on PostgreSQL."""
    database = request.getfixturevalue("db" if request.param == "sqlite" else "pg_db")
    c = Container(settings, database=database, clock=clock, whatsapp=fake_channel, queue=RecordingQueue())
    set_container(c)
    yield seed_world(c), ApiClient()
    set_container(None)


def _seed_ties(w, lead, moments: int = 3) -> int:
    """At each of a few moments: two activities, a message in, a reply out, an event done, two reminders closed.

    Every source (and the lead's own creation) shares the same timestamps, so page boundaries fall inside ties.
    Returns how many history entries the lead has.
    """
    t0 = lead.created_at
    user = w.users["m1a"]
    with w.container.database.transaction() as s:
        for k in range(moments):
            at = t0 + timedelta(minutes=k)
            s.add_all(
                Activity(lead_id=lead.id, actor_id=user.id, kind="note", text=f"a{k}.{j}", created_at=at)
                for j in range(2)
            )
            s.add(
                InboundMessage(
                    provider="app",
                    provider_message_id=f"tie{lead.id}.{k}",
                    sender=user.phone,
                    sender_user_id=user.id,
                    text=f"in{k}",
                    sent_at=at,
                    lead_id=lead.id,
                )
            )
            s.add(
                Outbox(recipient=user.phone, kind="reply", body=f"out{k}", lead_id=lead.id, created_at=at, sent_at=at)
            )
            s.add(
                Event(
                    lead_id=lead.id,
                    kind="meeting",
                    starts_at=at,
                    assignee_id=user.id,
                    created_by_id=user.id,
                    created_at=at,
                    updated_at=at,
                    completed_at=at,
                    status="done",
                )
            )
            s.add(
                Outbox(
                    recipient=user.phone,
                    kind="reminder",
                    body=f"sent{k}",
                    lead_id=lead.id,
                    created_at=at,
                    due_at=at,
                    sent_at=at,
                    status="sent",
                )
            )
            ist = at.astimezone(w.container.clock.now().tzinfo)  # an offset other than UTC, as the handlers write
            s.add(
                Outbox(
                    recipient=user.phone,
                    kind="reminder",
                    body=f"cancelled{k}",
                    lead_id=lead.id,
                    created_at=at,
                    due_at=at + timedelta(days=9),
                    status="cancelled",
                    data={"cancelled_at": ist.isoformat(), "cancel_reason": "test"},
                )
            )
    # per moment: 2 activities + 1 in + 1 out + 2 event + 2 sent reminder + 2 cancelled reminder; plus the creation
    return 1 + moments * 10


def _walk(client, w, lead, limit: int, order: str = "asc") -> list[dict]:
    items, cursor, pages = [], None, 0
    while True:
        q = f"?order={order}&limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        r = client.get(f"/api/history/{lead.id}{q}", token=w.token("m1a"))
        assert r.status == 200, r.body
        assert len(r.json["items"]) <= limit
        items += r.json["items"]
        cursor, pages = r.json["next_cursor"], pages + 1
        assert pages < 1000
        if not cursor:
            return items


def _identity(item: dict) -> tuple:
    return (item["source"], item["source_id"], item["kind"])


def _sort_key(item: dict) -> tuple:
    step = 1 if item["kind"] in ("event_done", "event_cancelled", "reminder_sent", "reminder_cancelled") else 0
    return (item["at"], RANK[item["source"]], item["source_id"], step)


def test_every_page_size_gives_every_entry_once_in_order(env):
    w, client = env
    lead = w.leads["m1a"]
    total = _seed_ties(w, lead)
    whole = client.get(f"/api/history/{lead.id}?limit=1000", token=w.token("m1a")).json
    assert whole["next_cursor"] is None and len(whole["items"]) == total
    assert len({_identity(i) for i in whole["items"]}) == total
    assert [_sort_key(i) for i in whole["items"]] == sorted(_sort_key(i) for i in whole["items"])
    for limit in (1, 2, 3, 7, total - 1, total):
        assert _walk(client, w, lead, limit) == whole["items"], limit
        assert _walk(client, w, lead, limit, "desc") == whole["items"][::-1], limit


def test_a_page_boundary_inside_equal_timestamps_neither_repeats_nor_skips(env):
    w, client = env
    lead = w.leads["m1a"]
    _seed_ties(w, lead, moments=1)
    first = client.get(f"/api/history/{lead.id}?limit=4", token=w.token("m1a")).json
    t0 = first["items"][0]["at"]
    assert {i["at"] for i in first["items"]} == {t0}  # the page ends inside the tie of 11 entries at t0
    rest = client.get(f"/api/history/{lead.id}?limit=100&cursor={first['next_cursor']}", token=w.token("m1a")).json
    seen = [_identity(i) for i in first["items"] + rest["items"]]
    assert len(seen) == len(set(seen)) == 11
    assert rest["items"][0]["at"] == t0


def test_a_cancelled_reminder_is_placed_at_its_cancellation_whatever_the_offset(env):
    w, client = env
    lead = w.leads["m1a"]
    _seed_ties(w, lead, moments=2)
    items = client.get(f"/api/history/{lead.id}", token=w.token("m1a")).json["items"]
    cancelled = [i for i in items if i["kind"] == "reminder_cancelled"]
    assert [c["text"] for c in cancelled] == ["cancelled0", "cancelled1"]
    sent = {i["text"]: i["at"] for i in items if i["kind"] == "reminder_sent"}
    assert [c["at"] for c in cancelled] == [sent["sent0"], sent["sent1"]]  # not the due time 9 days later


def _cursor(parts: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")


def test_a_tampered_cursor_is_refused_and_changes_nothing(env):
    w, client = env
    lead = w.leads["m1a"]
    _seed_ties(w, lead, moments=1)
    good = client.get(f"/api/history/{lead.id}?limit=2", token=w.token("m1a")).json["next_cursor"]
    parts = json.loads(base64.urlsafe_b64decode(good + "=" * (-len(good) % 4)))
    tampered = [
        good[:-2],  # truncated
        _cursor([*parts[:1], 9, *parts[2:]]),  # no such source
        _cursor([*parts[:3], 7]),  # no such step
        _cursor([parts[0], parts[1], -1, parts[3]]),  # negative id
        _cursor(["yesterday", *parts[1:]]),  # not a time
        _cursor(parts[:2]),  # a leads cursor's shape
        _cursor([*parts, 0]),
    ]
    for cursor in tampered:
        r = client.get(f"/api/history/{lead.id}?cursor={cursor}", token=w.token("m1a"))
        assert r.status == 422, (cursor, r.body)
        assert r.error_code == "invalid_cursor"


def _statements(w, client, lead, query: str) -> tuple[list[str], dict]:
    statements: list[str] = []
    engine = w.container.database.engine
    listener = lambda *a: statements.append(a[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        r = client.get(f"/api/history/{lead.id}{query}", token=w.token("m1a"))
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert r.status == 200, r.body
    return statements, r.json


def test_statements_per_page_do_not_grow_with_the_lead(env):
    w, client = env
    small, big = w.leads["m1a"], w.add_lead("big", "m1a", "Big History Ltd")
    _seed_ties(w, small, moments=1)
    _seed_ties(w, big, moments=150)  # 1,501 entries
    counts = []
    for lead in (small, big):
        first, page = _statements(w, client, lead, "?limit=5")
        second, _ = _statements(w, client, lead, f"?limit=5&cursor={page['next_cursor']}")
        counts += [sum(sql.lstrip().upper().startswith("SELECT") for sql in stmts) for stmts in (first, second)]
        for sql in first + second:
            if " FROM activities" in sql or " FROM outbox" in sql or " FROM events" in sql:
                assert "LIMIT" in sql.upper(), sql  # every source read is bounded
    assert counts[:2] == counts[2:], counts  # small lead's pages == big lead's pages
    assert max(counts) <= 7  # user, lead, activities, events, outbox, inbound, actors
