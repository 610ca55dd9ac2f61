"""The same API on PostgreSQL: scopes, paging, history, lockout and hostile ids behave as on SQLite."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm_core.composition import Container, set_container
from crm_core.db.models import Activity
from tests.api.client import ApiClient
from tests.api.conftest import RecordingQueue, seed_world

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg(settings, pg_db, clock, fake_channel):
    c = Container(settings, database=pg_db, clock=clock, whatsapp=fake_channel, queue=RecordingQueue())
    set_container(c)
    yield seed_world(c, passwords=True), ApiClient()
    set_container(None)


def test_role_scopes_on_postgres(pg):
    w, client = pg
    assert client.get(f"/api/leads/{w.users['m1a'].id}", token=w.token("leader1")).status == 200
    assert client.get(f"/api/leads/{w.users['m2a'].id}", token=w.token("leader1")).status == 403
    assert client.get(f"/api/history/{w.leads['m2a'].id}", token=w.token("m1a")).status == 404
    assert client.get("/api/pipeline", token=w.token("leader1")).json["total"] == 3


def test_paging_search_and_history_on_postgres(pg):
    w, client = pg
    now = w.container.clock.now()
    for i in range(5):
        w.add_lead(f"p{i}", "m1a", f"Firm_{i}%", last_activity_at=now - timedelta(hours=i))
    with w.container.database.transaction() as s:
        s.add_all(
            Activity(
                lead_id=w.leads["p0"].id,
                actor_id=w.users["m1a"].id,
                kind="note",
                text=f"n{i}",
                created_at=now + timedelta(seconds=i),
            )
            for i in range(30)
        )
    first = client.get(f"/api/leads/{w.users['m1a'].id}?limit=4", token=w.token("m1a")).json
    rest = client.get(f"/api/leads/{w.users['m1a'].id}?cursor={first['next_cursor']}", token=w.token("m1a")).json
    assert len(first["items"]) + len(rest["items"]) == 6
    assert [
        i["company"] for i in client.get(f"/api/leads/{w.users['m1a'].id}?q=_3%25", token=w.token("m1a")).json["items"]
    ] == ["Firm_3%"]
    hist = client.get(f"/api/history/{w.leads['p0'].id}?limit=10&order=desc", token=w.token("admin")).json
    assert hist["items"][0]["text"] == "n29" and hist["next_cursor"]


@pytest.mark.parametrize(
    "path", ["/api/leads/2147483648", "/api/history/9223372036854775808", "/api/tasks/a%00b", "/api/leads/1?q=a%00b"]
)
def test_hostile_input_is_4xx_on_postgres(pg, path):
    w, client = pg
    r = client.get(path.replace("%00", "\x00"), token=w.token("admin"))
    assert 400 <= r.status < 500, r.body


def test_nul_in_body_on_postgres(pg):
    w, client = pg
    r = client.post(
        "/api/register", body=b'{"username": "x\\u0000", "name": "a", "phone": "9876543210"}', token=w.token("admin")
    )
    assert r.status == 422


def test_lockout_on_postgres(pg):
    w, client = pg
    for _ in range(w.container.settings.login_max_failures):
        assert client.post("/api/login", json_body={"username": "m1a", "password": "wrong-pass"}).status == 401
    r = client.post("/api/login", json_body={"username": "m1a", "password": "correct horse battery"})
    assert r.status == 429
