"""A lead's history: one chronological stream of everything, with actors, paged; no N+1 at 5,000 entries."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from crm_core.db.models import Activity, Event, InboundMessage, Outbox


def _seed_story(w, c):
    """A lead's life: created, qualified, meeting done, reassigned, reminders, messages in and out."""
    lead = w.leads["m1a"]
    m1a, l1 = w.users["m1a"], w.users["leader1"]
    t0 = lead.created_at
    at = lambda minutes: t0 + timedelta(minutes=minutes)  # noqa: E731
    with c.database.transaction() as s:
        s.add(
            InboundMessage(
                provider="maytapi",
                provider_message_id="m1",
                sender=m1a.phone,
                sender_user_id=m1a.id,
                text="New lead: Acme Traders",
                sent_at=at(0.5),
                status="done",
                lead_id=lead.id,
            )
        )
        s.add(
            Outbox(
                recipient=m1a.phone,
                recipient_user_id=m1a.id,
                kind="reply",
                body="Lead created ✅",
                lead_id=lead.id,
                created_at=at(0.6),
                sent_at=at(0.7),
                status="sent",
            )
        )
        s.add(
            Activity(
                lead_id=lead.id,
                actor_id=m1a.id,
                kind="status_changed",
                text="new → qualified",
                data={"from": "new", "to": "qualified"},
                created_at=at(10),
            )
        )
        s.add(
            Event(
                lead_id=lead.id,
                kind="meeting",
                starts_at=at(60),
                assignee_id=m1a.id,
                created_by_id=m1a.id,
                created_at=at(20),
                updated_at=at(70),
                status="done",
                outcome="Went well",
                completed_at=at(70),
            )
        )
        s.add(
            Activity(lead_id=lead.id, actor_id=l1.id, kind="reassigned", text="reassigned to Meera", created_at=at(80))
        )
        s.add(
            Outbox(
                recipient=m1a.phone,
                recipient_user_id=m1a.id,
                kind="reminder",
                body="Follow up Acme",
                lead_id=lead.id,
                created_at=at(90),
                due_at=at(100),
                sent_at=at(100),
                status="sent",
            )
        )
        s.add(
            Outbox(
                recipient=m1a.phone,
                recipient_user_id=m1a.id,
                kind="reminder",
                body="Second nudge",
                lead_id=lead.id,
                created_at=at(91),
                due_at=at(200),
                status="cancelled",
                data={"cancelled_at": at(150).isoformat()},
            )
        )
    return lead


def test_history_is_one_chronological_stream_of_everything(client, world, api_container):
    lead = _seed_story(world, api_container)
    r = client.get(f"/api/history/{lead.id}", token=world.token("m1a"))
    assert r.status == 200, r.body
    items = r.json["items"]
    kinds = [(i["kind"], i["subkind"]) for i in items]
    assert kinds == [
        ("lead_created", None),
        ("message_in", None),
        ("message_out", "reply"),
        ("activity", "status_changed"),
        ("event_scheduled", "meeting"),
        ("event_done", "meeting"),
        ("activity", "reassigned"),
        ("reminder_scheduled", None),
        ("reminder_scheduled", None),
        ("reminder_sent", None),
        ("reminder_cancelled", None),
    ]
    times = [i["at"] for i in items]
    assert times == sorted(times)
    assert items[0]["actor"]["username"] == "m1a"
    assert items[1]["text"] == "New lead: Acme Traders" and items[1]["actor"]["username"] == "m1a"
    assert items[2]["actor"] is None  # the bot
    assert items[5]["text"] == "Went well"
    assert items[6]["actor"]["username"] == "leader1"
    assert r.json["company"] == "Acme Traders"


def test_history_newest_first_and_paged_without_gaps(client, world, api_container):
    lead = _seed_story(world, api_container)
    full = client.get(f"/api/history/{lead.id}?order=desc", token=world.token("m1a")).json["items"]
    paged, cursor = [], None
    while True:
        q = "?order=desc&limit=4" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(f"/api/history/{lead.id}{q}", token=world.token("m1a")).json
        paged += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert paged == full
    assert full[0]["kind"] == "reminder_cancelled" and full[-1]["kind"] == "lead_created"


def test_history_of_5000_entries_uses_a_fixed_number_of_queries(client, world, api_container):
    lead = world.leads["m1a"]
    t0 = lead.created_at
    users = [world.users[n].id for n in ("m1a", "m1b", "leader1")]
    with api_container.database.transaction() as s:
        s.add_all(
            Activity(
                lead_id=lead.id,
                actor_id=users[i % 3],
                kind="note",
                text=f"n{i}",
                created_at=t0 + timedelta(seconds=i + 1),
            )
            for i in range(3000)
        )
        s.add_all(
            InboundMessage(
                provider="app",
                provider_message_id=f"x{i}",
                sender="+919800000004",
                text=f"in {i}",
                sent_at=t0 + timedelta(seconds=i, milliseconds=500),
                lead_id=lead.id,
            )
            for i in range(1000)
        )
        s.add_all(
            Outbox(
                recipient="+919800000004",
                kind="reply",
                body=f"out {i}",
                lead_id=lead.id,
                created_at=t0 + timedelta(seconds=i, milliseconds=700),
            )
            for i in range(1000)
        )
    statements: list[str] = []
    engine = api_container.database.engine
    listener = lambda *a: statements.append(a[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        r = client.get(f"/api/history/{lead.id}?limit=1000", token=world.token("leader1"))
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert r.status == 200
    assert len(r.json["items"]) == 1000 and r.json["next_cursor"]
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 8, selects  # user, lead, 4 sources, actors — never one per entry
    assert {i["actor"]["username"] for i in r.json["items"] if i["kind"] == "activity"} == {"m1a", "m1b", "leader1"}


def test_bad_cursor_is_a_clean_422(client, world):
    for cursor in ("abc", "W10", "bm90IGpzb24", "WyJ4Il0"):
        r = client.get(f"/api/history/{world.leads['m1a'].id}?cursor={cursor}", token=world.token("m1a"))
        assert r.status == 422, (cursor, r.body)
        assert r.error_code == "invalid_cursor"


def test_logged_creation_replaces_the_synthetic_one(client, world, api_container):
    lead = world.leads["m1a"]
    with api_container.database.transaction() as s:
        s.add(
            Activity(
                lead_id=lead.id,
                actor_id=world.users["m1a"].id,
                kind="lead_created",
                text="New lead Acme Traders",
                created_at=lead.created_at,
            )
        )
    items = client.get(f"/api/history/{lead.id}", token=world.token("m1a")).json["items"]
    assert [(i["kind"], i["source"], i["text"]) for i in items] == [
        ("lead_created", "activity", "New lead Acme Traders")
    ]
