"""The role matrix: member / leader / admin × own / team / other, for every read route."""

from __future__ import annotations

import pytest

# (actor, target user or lead key) -> allowed?
MATRIX = [
    ("m1a", "m1a", True),  # own
    ("m1a", "m1b", False),  # teammate
    ("m1a", "m2a", False),  # other team
    ("leader1", "leader1", True),
    ("leader1", "m1a", True),  # team
    ("leader1", "m2a", False),  # other team
    ("leader1", "leader2", False),
    ("admin", "m1a", True),
    ("admin", "m2a", True),
    ("admin", "leader2", True),
]


@pytest.fixture
def w(world):
    world.add_lead("leader2", "leader2", "Erode Mills")
    return world


@pytest.mark.parametrize(("actor", "target", "allowed"), MATRIX)
def test_leads_of_a_user(client, w, actor, target, allowed):
    r = client.get(f"/api/leads/{w.users[target].id}", token=w.token(actor))
    if allowed:
        assert r.status == 200, r.body
        assert [i["company"] for i in r.json["items"]] == [w.leads[target].company]
    else:
        assert r.status == 403
        assert r.error_code == "forbidden"


@pytest.mark.parametrize(("actor", "target", "allowed"), MATRIX)
def test_tasks_of_a_user(client, w, actor, target, allowed):
    r = client.get(f"/api/tasks/{target}", token=w.token(actor))
    assert r.status == (200 if allowed else 403), r.body


@pytest.mark.parametrize("route", ["activities", "history"])
@pytest.mark.parametrize(("actor", "lead", "allowed"), MATRIX)
def test_lead_reads_hide_other_teams_leads(client, w, route, actor, lead, allowed):
    r = client.get(f"/api/{route}/{w.leads[lead].id}", token=w.token(actor))
    if allowed:
        assert r.status == 200, r.body
    else:
        assert r.status == 404  # existence must not leak
        assert r.error_code == "not_found"


def test_unknown_lead_looks_like_a_hidden_one(client, w):
    hidden = client.get(f"/api/history/{w.leads['m2a'].id}", token=w.token("m1a"))
    missing = client.get("/api/history/999999", token=w.token("m1a"))
    assert hidden.status == missing.status == 404
    assert hidden.json == missing.json


def test_unknown_user_is_403_for_non_admins_and_404_for_admins(client, w):
    assert client.get("/api/leads/99999", token=w.token("m1a")).status == 403
    assert client.get("/api/leads/99999", token=w.token("leader1")).status == 403
    assert client.get("/api/leads/99999", token=w.token("admin")).status == 404
    assert client.get("/api/tasks/nobody", token=w.token("admin")).status == 404


def test_member_sees_lead_they_created_but_someone_else_owns(client, w):
    lead = w.add_lead("handed", "m1b", "Handover Ltd", creator="m1a")
    assert client.get(f"/api/history/{lead.id}", token=w.token("m1a")).status == 200
    companies = [
        i["company"] for i in client.get(f"/api/leads/{w.users['m1a'].id}", token=w.token("m1a")).json["items"]
    ]
    assert "Handover Ltd" in companies


def test_a_team_label_alone_joins_no_team(client, w, api_container):
    """A leader's team is the users whose leader they are (crm_core.access); a shared `team` label grants nothing."""
    from crm_core.accounts import NewUser, create_user

    with api_container.database.transaction() as s:
        u = create_user(s, NewUser(username="m1c", name="Mira", phone="+919800000011", team="leader1"))
        linked = create_user(s, NewUser(username="m1d", name="Mina", phone="+919800000012", leader="leader1"))
    assert client.get(f"/api/leads/{u.id}", token=w.token("leader1")).status == 403
    assert client.get(f"/api/leads/{u.id}", token=w.token("leader2")).status == 403
    assert client.get(f"/api/leads/{linked.id}", token=w.token("leader1")).status == 200


def test_a_leader_does_not_read_an_admin_sharing_the_team_label(client, w, api_container):
    """The API once counted everyone with the leader's `team` label as the team, admins included."""
    from crm_core.db.models import User

    with api_container.database.transaction() as s:
        for username in ("admin", "leader1"):
            s.get(User, w.users[username].id).team = "north"
    hq = w.add_lead("hq", "admin", "Head Office Deal")
    leader = w.token("leader1")
    assert client.get(f"/api/history/{hq.id}", token=leader).status == 404
    assert client.get(f"/api/leads/{w.users['admin'].id}", token=leader).status == 403
    assert "Head Office Deal" not in client.get("/api/pipeline", token=leader).body.decode()


@pytest.mark.parametrize(("actor", "status"), [("m1a", 403), ("leader1", 200), ("admin", 200)])
def test_pipeline_roles(client, w, actor, status):
    assert client.get("/api/pipeline", token=w.token(actor)).status == status


@pytest.mark.parametrize(("actor", "status"), [("m1a", 403), ("leader1", 403), ("admin", 200)])
def test_dead_outbox_is_for_admins(client, w, actor, status):
    assert client.get("/api/outbox/dead", token=w.token(actor)).status == status


@pytest.mark.parametrize(
    "path",
    [
        "/api/users/me",
        "/api/leads/1",
        "/api/tasks/m1a",
        "/api/activities/1",
        "/api/history/1",
        "/api/pipeline",
        "/api/outbox/dead",
        "/api/app/messages",
    ],
)
def test_every_read_needs_a_token(client, w, path):
    r = client.get(path)
    assert r.status == 401


def test_writes_need_a_token(client, w):
    assert client.post("/api/app", json_body={"text": "hi"}).status == 401
    assert client.post("/api/register", json_body={"username": "x"}).status == 401


def test_role_is_checked_before_inputs(client, w):
    assert client.get("/api/pipeline?stale_days=abc", token=w.token("m1a")).status == 403
    assert client.get("/api/pipeline?stale_days=abc", token=w.token("leader1")).status == 422
