"""A user's leads: owned and created-for-others merged in one keyset page; ties, scopes and bounded statements."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event


def _seed(world) -> set[str]:
    """m1a owns some leads, created some for others (owners with lower and higher ids), and shares moments."""
    now = world.container.clock.now()
    same = now - timedelta(hours=5)
    specs = [
        ("own0", "m1a", None, now - timedelta(hours=1)),
        ("own1", "m1a", None, same),
        ("own2", "m1a", "leader1", same),  # created by the leader for m1a
        ("for_leader", "leader1", "m1a", same),  # owner id lower than m1a's
        ("for_m1b", "m1b", "m1a", same),  # owner id higher
        ("for_m2a", "m2a", "m1a", now - timedelta(hours=9)),  # another team's member owns it
        ("own3", "m1a", None, now - timedelta(days=2)),
        ("not_mine", "m1b", "m1b", now),
    ]
    for key, owner, creator, at in specs:
        world.add_lead(key, owner, f"Firm {key}", creator=creator, last_activity_at=at)
    return {world.leads[k].id for k, *_ in specs if k != "not_mine"} | {world.leads["m1a"].id}


def _walk(client, world, caller: str, limit: int) -> list[int]:
    ids, cursor = [], None
    while True:
        q = f"?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        r = client.get(f"/api/leads/{world.users['m1a'].id}{q}", token=world.token(caller))
        assert r.status == 200, r.body
        assert len(r.json["items"]) <= limit
        ids += [i["id"] for i in r.json["items"]]
        cursor = r.json["next_cursor"]
        if not cursor:
            return ids


def test_owned_and_created_leads_page_once_each_newest_first(client, world):
    expected = _seed(world)
    whole = client.get(f"/api/leads/{world.users['m1a'].id}?limit=200", token=world.token("m1a")).json["items"]
    assert {i["id"] for i in whole} == expected and len(whole) == len(expected)
    keys = [(i["last_activity_at"], i["id"]) for i in whole]
    assert keys == sorted(keys, reverse=True)
    assert {i["owner"]["username"] for i in whole} == {"m1a", "leader1", "m1b", "m2a"}
    for limit in (1, 2, 3, 4, len(whole)):
        assert _walk(client, world, "m1a", limit) == [i["id"] for i in whole], limit
        assert _walk(client, world, "leader1", limit) == [i["id"] for i in whole], limit
        assert _walk(client, world, "admin", limit) == [i["id"] for i in whole], limit


def test_filters_apply_to_both_branches(client, world):
    _seed(world)
    r = client.get(f"/api/leads/{world.users['m1a'].id}?q=for_&limit=2", token=world.token("m1a"))
    first = [i["company"] for i in r.json["items"]]
    rest = client.get(
        f"/api/leads/{world.users['m1a'].id}?q=for_&limit=2&cursor={r.json['next_cursor']}", token=world.token("m1a")
    ).json["items"]
    assert sorted(first + [i["company"] for i in rest]) == ["Firm for_leader", "Firm for_m1b", "Firm for_m2a"]


def test_a_page_is_one_bounded_statement_whatever_the_user_has(client, world):
    _seed(world)
    statements: list[str] = []
    engine = world.container.database.engine
    listener = lambda *a: statements.append(a[2])  # noqa: E731
    counts = []
    for extra in (0, 300):
        for i in range(extra):
            world.add_lead(f"bulk{i}", "m1a", f"Bulk {i}")
        statements.clear()
        event.listen(engine, "before_cursor_execute", listener)
        try:
            r = client.get(f"/api/leads/{world.users['m1a'].id}?limit=5", token=world.token("m1a"))
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        assert r.status == 200 and len(r.json["items"]) == 5
        selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
        counts.append(len(selects))
        leads_sql = [s for s in selects if "FROM leads" in s and "JOIN users" in s]
        assert len(leads_sql) == 1 and "count(" not in leads_sql[0].lower()
        assert leads_sql[0].upper().count("LIMIT") >= 4  # each branch and the merge stop at limit + 1
    assert counts[0] == counts[1], counts
