"""Hostile and malformed input: a clean 4xx with the error shape, never a 5xx, nothing changed; CORS; OpenAPI."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crm_core.db.models import Lead, User


def _snapshot(c) -> tuple[int, int]:
    with c.database.transaction() as s:
        return s.scalar(select(func.count(User.id))), s.scalar(select(func.count(Lead.id)))


def _assert_error(r, status):
    assert r.status == status, r.body
    err = r.json["error"]
    assert set(err) == {"code", "message"} and err["code"] and err["message"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"", 400),
        (b"   ", 400),
        (b"{", 400),
        (b"{'username': 'x'}", 400),
        (b"\xff\xfe\x00", 400),
        (b'{"username": "a", "password": NaN}', 400),
        (b"[]", 422),
        (b'"text"', 422),
        (b"null", 422),
        (b'{"username": "a\\u0000b", "password": "x"}', 422),
        (b'{"username": "\\ud800", "password": "x"}', 422),
        (b'{"username": "a", "password": "p\\u0000"}', 422),
        (b"[" * 100_000, 413),
        (b'{"a": ' + b"[" * 5000 + b"]" * 5000 + b"}", 400),
    ],
)
@pytest.mark.parametrize("path", ["/api/login", "/api/register", "/api/app"])
def test_malformed_bodies(client, world, path, body, status):
    before = _snapshot(world.container)
    r = client.post(path, body=body, token=world.token("admin"))
    _assert_error(r, status)
    assert _snapshot(world.container) == before


def test_huge_body_is_413_even_when_valid_json(client, world, queue):
    big = {"text": "x" * 70_000}
    r = client.post("/api/app", json_body=big, token=world.token("m1a"))
    _assert_error(r, 413)
    r = client.post("/api/app", body=b'{"text": "hi"}', token=world.token("m1a"), headers={"Content-Length": "999999"})
    _assert_error(r, 413)
    assert queue.bodies == []


@pytest.mark.parametrize(
    "raw_id",
    [
        "abc",
        "-1",
        "0",
        "1.5",
        "99999999999999999999999999",
        "1e3",
        "%00",
        "1%00",
        "' OR '1'='1",
        "1;DROP TABLE leads",
        " 1",
        "１",
    ],
)
@pytest.mark.parametrize("route", ["leads", "activities", "history"])
def test_bad_ids_are_422(client, world, route, raw_id):
    from urllib.parse import unquote

    before = _snapshot(world.container)
    r = client.get(f"/api/{route}/{unquote(raw_id)}", token=world.token("admin"))
    assert r.status in (404, 422), r.body
    _assert_error(r, r.status)
    assert _snapshot(world.container) == before


def test_numeric_ids_beyond_column_range_are_rejected(client, world):
    _assert_error(client.get("/api/leads/2147483648", token=world.token("admin")), 422)
    _assert_error(client.get("/api/history/9223372036854775808", token=world.token("admin")), 422)
    _assert_error(client.get("/api/history/9223372036854775807", token=world.token("admin")), 404)


@pytest.mark.parametrize(
    "query",
    [
        "?limit=0",
        "?limit=201",
        "?limit=abc",
        "?limit=-5",
        "?status=bogus",
        "?q=",
        "?q=" + "x" * 101,
        "?q=a%00b",
        "?cursor=" + "A" * 300,
        "?cursor=%00",
        "?cursor=not*a*cursor",
    ],
)
def test_bad_query_params_are_422(client, world, query):
    r = client.get(f"/api/leads/{world.users['m1a'].id}{query.replace('%00', chr(0))}", token=world.token("m1a"))
    _assert_error(r, 422)


@pytest.mark.parametrize("name", ["bad name", "a" * 65, "x%00y", "' OR 1=1 --", "ü"])
def test_bad_usernames_in_tasks_path(client, world, name):
    r = client.get(f"/api/tasks/{name.replace('%00', chr(0))}", token=world.token("admin"))
    _assert_error(r, 422)


def test_sql_injection_in_login_is_just_wrong_credentials(client, world):
    before = _snapshot(world.container)
    r = client.post("/api/login", json_body={"username": "admin' --", "password": "' OR '1'='1"})
    _assert_error(r, 401)
    assert _snapshot(world.container) == before


# ----- CORS -----


@pytest.fixture
def cors(api_container):
    api_container._settings = api_container.settings.model_copy(update={"cors_origins": "https://app.example.in"})


def test_cors_echoes_allowed_origin_only(client, world, cors):
    ok = client.get("/api/users/me", token=world.token("m1a"), headers={"Origin": "https://app.example.in"})
    assert ok.headers["Access-Control-Allow-Origin"] == "https://app.example.in"
    assert ok.headers["Vary"] == "Origin"
    evil = client.get("/api/users/me", token=world.token("m1a"), headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in evil.headers
    err = client.get("/api/users/me", headers={"Origin": "https://app.example.in"})
    assert err.status == 401 and err.headers["Access-Control-Allow-Origin"] == "https://app.example.in"


@pytest.mark.parametrize("path", ["/api/login", "/api/leads/1", "/api/app", "/api/app/messages", "/api/pipeline"])
def test_cors_preflight(client, world, cors, path):
    r = client.request(
        "OPTIONS", path, headers={"Origin": "https://app.example.in", "Access-Control-Request-Method": "GET"}
    )
    assert r.status == 204
    assert r.headers["Access-Control-Allow-Origin"] == "https://app.example.in"
    assert "Authorization" in r.headers["Access-Control-Allow-Headers"]
    assert "OPTIONS" in r.headers["Access-Control-Allow-Methods"]
    denied = client.request("OPTIONS", path, headers={"Origin": "https://evil.example"})
    assert denied.status == 204 and "Access-Control-Allow-Origin" not in denied.headers


# ----- OpenAPI -----


def test_openapi_document_covers_every_route_schema_and_error(client, world):
    from crm_core.api.openapi import all_routes
    from crm_core.api.table import ROUTES

    r = client.get("/api/openapi.json")
    assert r.status == 200
    doc = r.json
    assert doc["openapi"] == "3.1.0"
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    ops = {(m.upper(), p): op for p, item in doc["paths"].items() for m, op in item.items()}
    assert {(r.method, r.path) for r in all_routes()} == set(ops)
    assert set(ROUTES.values()) <= set(all_routes())
    for route in all_routes():
        op = ops[(route.method, route.path)]
        for code in route.error_statuses():
            assert op["responses"][str(code)]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorResponse"
            }
        assert (op["security"] == [{"bearerAuth": []}]) == route.auth
    leads = ops[("GET", "/leads/{user_id}")]
    params = {p["name"]: p for p in leads["parameters"]}
    assert params["user_id"]["in"] == "path" and params["user_id"]["schema"]["type"] == "integer"
    assert params["limit"]["schema"]["maximum"] == 200
    assert "from" in {p["name"] for p in ops[("GET", "/tasks/{username}")]["parameters"]}
    schemas = doc["components"]["schemas"]
    assert {"LeadOut", "HistoryEntry", "ErrorResponse", "RegisterRequest", "LoginResponse", "Pipeline"} <= set(schemas)
    assert schemas["LoginRequest"]["properties"]["password"]["maxLength"] == 1024


def test_function_app_exposes_every_route_of_the_table():
    from crm_core.api.table import ROUTES
    from tests.api.client import _index

    served = [(m, e.regex.pattern) for e in _index() for m in e.methods]
    for route in ROUTES.values():
        pattern = "^/api" + route.path.replace("{", "(?P<").replace("}", ">[^/]+)") + "$"
        assert (route.method, pattern) in served
        assert ("OPTIONS", pattern) in served
