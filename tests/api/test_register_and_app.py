"""Registering users and the app's message endpoint and inbox."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from crm_core.db.models import Outbox, User
from crm_core.envelope import Envelope
from crm_core.outbox import record


def _new(**kw):
    body = {"username": "neha", "name": "Neha", "phone": "98765 43210", "password": "s3cret-pass"}
    body.update(kw)
    return body


def _count_users(c) -> int:
    with c.database.transaction() as s:
        return s.scalar(select(func.count(User.id)))


def test_admin_registers_any_role_and_the_user_can_log_in(client, world):
    r = client.post("/api/register", json_body=_new(role="leader", email="neha@x.in"), token=world.token("admin"))
    assert r.status == 201, r.body
    assert r.json["role"] == "leader" and r.json["phone"] == "+919876543210" and r.json["team"] == "neha"
    login = client.post("/api/login", json_body={"username": "neha", "password": "s3cret-pass"})
    assert login.status == 200


def test_leader_registers_a_member_into_their_own_team(client, world):
    r = client.post("/api/register", json_body=_new(), token=world.token("leader1"))
    assert r.status == 201, r.body
    assert r.json["leader_id"] == world.users["leader1"].id and r.json["team"] == "leader1"
    assert client.get(f"/api/leads/{r.json['id']}", token=world.token("leader1")).status == 200


@pytest.mark.parametrize(
    ("actor", "body"),
    [
        ("m1a", _new()),
        ("leader1", _new(role="leader")),
        ("leader1", _new(role="admin")),
        ("leader1", _new(leader="leader2")),
    ],
)
def test_register_forbidden(client, world, actor, body):
    before = _count_users(world.container)
    r = client.post("/api/register", json_body=body, token=world.token(actor))
    assert r.status == 403, r.body
    assert _count_users(world.container) == before


@pytest.mark.parametrize("clash", [{"username": "M1A"}, {"phone": "+91 98000 00004"}])
def test_register_duplicates_are_409(client, world, clash):
    before = _count_users(world.container)
    r = client.post("/api/register", json_body=_new(**clash), token=world.token("admin"))
    assert r.status == 409 and r.error_code == "conflict"
    assert _count_users(world.container) == before


@pytest.mark.parametrize(
    "body",
    [
        _new(phone="12"),
        _new(phone="not a phone"),
        _new(username="bad name!"),
        _new(role="king"),
        _new(password="short"),
        _new(email="nope"),
        _new(name=""),
        _new(leader="m1a"),  # not a leader
        _new(name=["list"]),
    ],
)
def test_register_invalid_fields_are_422_and_change_nothing(client, world, body):
    before = _count_users(world.container)
    r = client.post("/api/register", json_body=body, token=world.token("admin"))
    assert r.status == 422, r.body
    assert _count_users(world.container) == before


def test_app_message_goes_on_the_queue_as_the_user(client, world, queue, api_container):
    r = client.post("/api/app", json_body={"text": "New lead: Kiran Motors"}, token=world.token("m1a"))
    assert r.status == 202, r.body
    assert len(queue.bodies) == 1
    env = Envelope.from_json(queue.bodies[0])
    assert env.provider == "app" and env.sender == "+919800000004" and env.text == "New lead: Kiran Motors"
    assert env.message_id == r.json["message_id"] and len(env.message_id) == 32
    assert env.sent_at == api_container.clock.now()


@pytest.mark.parametrize(
    ("body", "status"),
    [({"text": ""}, 422), ({"text": "   "}, 422), ({"text": "x" * 4001}, 413), ({"text": 5}, 422), ({}, 422)],
)
def test_app_message_rejects_empty_and_oversized(client, world, queue, body, status):
    r = client.post("/api/app", json_body=body, token=world.token("m1a"))
    assert r.status == status, r.body
    assert queue.bodies == []


def test_app_inbox_lists_only_my_app_messages_after_an_id(client, world, api_container):
    with api_container.database.transaction() as s:
        me = s.get(User, world.users["m1a"].id)
        other = s.get(User, world.users["m1b"].id)
        rows = [record(s, to=me, body=f"reply {i}", channel="app") for i in range(3)]
        record(s, to=me, body="whatsapp one", channel="whatsapp")
        record(s, to=other, body="not mine", channel="app")
        record(s, to=me, body="cancelled", channel="app").status = "cancelled"
        s.flush()
        ids = [r.id for r in rows]
    page = client.get("/api/app/messages?limit=2", token=world.token("m1a")).json
    assert [m["body"] for m in page["items"]] == ["reply 0", "reply 1"]
    rest = client.get(f"/api/app/messages?after={page['next_after']}", token=world.token("m1a")).json
    assert [m["body"] for m in rest["items"]] == ["reply 2"]
    empty = client.get(f"/api/app/messages?after={ids[-1]}", token=world.token("m1a")).json
    assert empty == {"items": [], "next_after": ids[-1]}
    assert json.dumps(page)  # plain JSON
    assert world.container.database is api_container.database
    with api_container.database.transaction() as s:
        assert s.scalar(select(func.count(Outbox.id))) == 6
