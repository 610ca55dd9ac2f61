"""Leads, tasks, activities and the pipeline: contents, filters, ordering and paging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crm_core.db.models import Activity, Event, Outbox
from crm_core.outbox import record


def _leads(client, w, query=""):
    r = client.get(f"/api/leads/{w.users['m1a'].id}{query}", token=w.token("m1a"))
    assert r.status == 200, r.body
    return r.json


def test_leads_newest_activity_first_with_cursor_paging(client, world):
    now = world.container.clock.now()
    for i in range(7):
        world.add_lead(f"p{i}", "m1a", f"Firm {i}", last_activity_at=now - timedelta(hours=i))
    world.add_lead("tie", "m1a", "Firm tie", last_activity_at=now - timedelta(hours=3))
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        q = "?limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = _leads(client, world, query=q)
        seen += [i["company"] for i in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 9  # 8 + Acme Traders from the seed
    assert seen[:3] == ["Firm 0", "Firm 1", "Firm 2"]
    assert seen[-1] == "Acme Traders"  # one day ago
    assert set(seen[3:5]) == {"Firm 3", "Firm tie"}


def test_leads_status_filter_and_text_search(client, world):
    world.add_lead("won", "m1a", "Zenith Won Co", status="won")
    world.add_lead("pct", "m1a", "100% Pure_Oils", email="sales@pure.in")
    assert [i["company"] for i in _leads(client, world, query="?status=won")["items"]] == ["Zenith Won Co"]
    assert [i["company"] for i in _leads(client, world, query="?q=acme")["items"]] == ["Acme Traders"]
    assert [i["company"] for i in _leads(client, world, query="?q=RAVI")["items"]] == ["Acme Traders"]
    assert [i["company"] for i in _leads(client, world, query="?q=9811111")["items"]] == ["Acme Traders"]
    assert [i["company"] for i in _leads(client, world, query="?q=%25")["items"]] == ["100% Pure_Oils"]
    assert [i["company"] for i in _leads(client, world, query="?q=_")["items"]] == ["100% Pure_Oils"]
    assert _leads(client, world, query="?q=' OR 1=1 --")["items"] == []


def test_lead_fields(client, world):
    item = _leads(client, world)["items"][0]
    assert item["owner"] == {"id": world.users["m1a"].id, "username": "m1a", "name": "Mohan One"}
    assert item["status"] == "new"
    assert item["last_activity_at"].endswith("Z")


def test_activities_oldest_first_with_actor_and_paging(client, world, api_container):
    lead = world.leads["m1a"]
    base = api_container.clock.now()
    with api_container.database.transaction() as s:
        for i in range(5):
            s.add(
                Activity(
                    lead_id=lead.id,
                    actor_id=world.users["m1a"].id if i % 2 == 0 else None,
                    kind="note",
                    text=f"note {i}",
                    data={"i": i},
                    created_at=base - timedelta(minutes=10 - i),
                )
            )
    r = client.get(f"/api/activities/{lead.id}?limit=3", token=world.token("leader1"))
    assert r.status == 200
    first = r.json
    assert [a["text"] for a in first["items"]] == ["note 0", "note 1", "note 2"]
    assert first["items"][0]["actor"]["username"] == "m1a"
    assert first["items"][1]["actor"] is None
    second = client.get(f"/api/activities/{lead.id}?limit=3&cursor={first['next_cursor']}", token=world.token("m1a"))
    assert [a["text"] for a in second.json["items"]] == ["note 3", "note 4"]
    assert second.json["next_cursor"] is None


def test_tasks_default_week_with_events_and_follow_ups(client, world, api_container):
    now = api_container.clock.now()  # Tue 24 Nov 2026 10:00 IST
    m1a = world.users["m1a"]
    lead = world.leads["m1a"]
    with api_container.database.transaction() as s:
        s.add_all(
            [
                Event(lead_id=lead.id, kind="meeting", starts_at=now + timedelta(days=1), assignee_id=m1a.id),
                Event(lead_id=lead.id, kind="demo", starts_at=now + timedelta(days=3), assignee_id=m1a.id),
                Event(lead_id=lead.id, kind="demo", starts_at=now + timedelta(days=30), assignee_id=m1a.id),
                Event(
                    lead_id=lead.id,
                    kind="meeting",
                    starts_at=now + timedelta(days=2),
                    assignee_id=m1a.id,
                    status="cancelled",
                ),
                Event(
                    lead_id=world.leads["m1b"].id,
                    kind="meeting",
                    starts_at=now + timedelta(days=1),
                    assignee_id=world.users["m1b"].id,
                ),
            ]
        )
        s.flush()
        record(
            s,
            to=s.get(type(m1a), m1a.id),
            body="Follow up with Acme",
            kind="reminder",
            lead_id=lead.id,
            due_at=now + timedelta(days=2),
        )
        record(
            s,
            to=s.get(type(m1a), m1a.id),
            body="Sent already",
            kind="reminder",
            lead_id=lead.id,
            due_at=now + timedelta(days=2),
        ).status = "sent"
    r = client.get("/api/tasks/m1a", token=world.token("m1a"))
    assert r.status == 200, r.body
    data = r.json
    assert data["date_from"] == "2026-11-24" and data["date_to"] == "2026-12-01"
    assert [(t["type"], t["company"]) for t in data["items"]] == [
        ("meeting", "Acme Traders"),
        ("follow_up", "Acme Traders"),
        ("demo", "Acme Traders"),
    ]
    later = client.get("/api/tasks/m1a?from=2026-12-20&to=2026-12-31", token=world.token("leader1")).json
    assert [t["type"] for t in later["items"]] == ["demo"]


@pytest.mark.parametrize(
    "query",
    [
        "?from=2026-12-01&to=2026-11-01",
        "?from=2026-01-01&to=2026-12-31",
        "?from=yesterday",
        "?to=2026-13-01",
        "?from=9999-12-31",
        "?from=0001-01-01",
    ],
)
def test_tasks_bad_ranges(client, world, query):
    r = client.get(f"/api/tasks/m1a{query}", token=world.token("m1a"))
    assert r.status == 422, r.body


def test_pipeline_counts_overdue_and_stale(client, world, api_container):
    now = api_container.clock.now()
    world.add_lead("old", "m1b", "Old Idle Co", last_activity_at=now - timedelta(days=20), status="qualified")
    world.add_lead("oldwon", "m1b", "Closed Co", last_activity_at=now - timedelta(days=20), status="won")
    with api_container.database.transaction() as s:
        s.add(
            Event(
                lead_id=world.leads["m1a"].id,
                kind="demo",
                starts_at=now - timedelta(hours=2),
                assignee_id=world.users["m1a"].id,
            )
        )
        s.add(
            Event(
                lead_id=world.leads["m2a"].id,
                kind="demo",
                starts_at=now - timedelta(hours=2),
                assignee_id=world.users["m2a"].id,
            )
        )
        s.add(
            Outbox(
                recipient="+919800000005",
                recipient_user_id=world.users["m1b"].id,
                kind="reminder",
                body="Call Old Idle Co",
                lead_id=world.leads["old"].id,
                due_at=now - timedelta(days=2),
                status="sent",
            )
        )
    team = client.get("/api/pipeline?stale_days=10", token=world.token("leader1")).json
    assert team["scope"] == "team"
    assert team["total"] == 5  # m1a, m1b, leader1, old, oldwon
    assert team["by_status"]["new"] == 3 and team["by_status"]["won"] == 1
    assert {o["owner"]["username"]: o["total"] for o in team["by_owner"]} == {"m1b": 3, "m1a": 1, "leader1": 1}
    assert [e["company"] for e in team["overdue_events"]] == ["Acme Traders"]
    assert [f["company"] for f in team["overdue_follow_ups"]] == ["Old Idle Co"]
    assert [s["company"] for s in team["stale_leads"]] == ["Old Idle Co"]
    everyone = client.get("/api/pipeline", token=world.token("admin")).json
    assert everyone["scope"] == "all" and everyone["total"] == 6
    assert len(everyone["overdue_events"]) == 2


def test_dead_outbox_lists_errors_newest_first(client, world, api_container):
    with api_container.database.transaction() as s:
        for i in range(3):
            s.add(
                Outbox(
                    recipient="+919800000004",
                    kind="reply",
                    body=f"b{i}",
                    status="dead",
                    attempts=6,
                    last_error="maytapi 400",
                    due_at=datetime(2026, 11, 1, tzinfo=UTC),
                )
            )
        s.add(Outbox(recipient="+919800000004", kind="reply", body="fine", status="sent"))
    r = client.get("/api/outbox/dead?limit=2", token=world.token("admin")).json
    assert [i["body"] for i in r["items"]] == ["b2", "b1"]
    assert r["items"][0]["last_error"] == "maytapi 400"
    more = client.get(f"/api/outbox/dead?before={r['next_before']}", token=world.token("admin")).json
    assert [i["body"] for i in more["items"]] == ["b0"]
