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
    from crm_core.api.app import api_routes

    r = client.get("/api/openapi.json")
    assert r.status == 200
    doc = r.json
    assert doc["openapi"].startswith("3.1")
    assert doc["servers"] == [{"url": "/api"}]
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    ops = {(m.upper(), p): op for p, item in doc["paths"].items() for m, op in item.items()}
    routes = {(m, route.path): route for route in api_routes() for m in route.methods}
    assert set(routes) == set(ops)
    assert len(ops) == 22  # 17 routes of the seed table and 5 of Message Master
    for key, route in routes.items():
        op = ops[key]
        for code in route.error_statuses():
            assert op["responses"][str(code)]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorResponse"
            }
        assert (op.get("security") == [{"bearerAuth": []}]) == route.needs_token
        assert "HTTPValidationError" not in str(op)
    leads = ops[("GET", "/leads/{user_id}")]
    params = {p["name"]: p for p in leads["parameters"]}
    assert params["user_id"]["in"] == "path" and params["user_id"]["schema"]["type"] == "integer"
    assert params["limit"]["schema"]["maximum"] == 200
    assert "from" in {p["name"] for p in ops[("GET", "/tasks/{username}")]["parameters"]}
    assert {"401", "403", "422", "500", "503"} <= set(ops[("GET", "/pipeline")]["responses"])
    assert {"400", "413", "422"} <= set(ops[("POST", "/register")]["responses"])
    schemas = doc["components"]["schemas"]
    assert {"LeadOut", "HistoryEntry", "ErrorResponse", "RegisterRequest", "LoginResponse", "Pipeline"} <= set(schemas)
    assert schemas["LoginRequest"]["properties"]["password"]["maxLength"] == 1024


def test_message_master_request_bodies_are_documented(client):
    doc = client.get("/api/openapi.json").json
    create = doc["paths"]["/message-master"]["post"]
    update = doc["paths"]["/message-master/{template_id}"]["put"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/StepCreate"}
    assert update["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/StepUpdate"}
    step = doc["components"]["schemas"]["StepCreate"]
    assert step["required"] == ["day", "text"]
    assert step["properties"]["day"]["type"] == "integer" and step["properties"]["active"]["type"] == "boolean"
    assert "422" not in create["responses"] and "400" in create["responses"]  # bad fields are 400 here


def test_swagger_ui_is_served_at_api_docs(client):
    r = client.get("/api/docs")
    assert r.status == 200 and b"swagger-ui" in r.body and b"/api/openapi.json" in r.body


def test_unknown_paths_and_wrong_methods_answer_in_the_error_shape(client, world):
    missing = client.get("/api/no-such-route")
    assert missing.status == 404 and missing.error_code == "not_found"
    wrong = client.request("DELETE", "/api/users/me", token=world.token("m1a"))
    assert wrong.status == 405 and wrong.error_code == "method_not_allowed" and "GET" in wrong.headers["Allow"]


def test_the_cli_prints_the_same_document(capsys):
    import json

    from crm_core.api.app import get_app
    from crm_core.cli import main

    assert main(["openapi"]) == 0
    printed = json.loads(capsys.readouterr().out)
    from fastapi.testclient import TestClient

    served = TestClient(get_app()).get("/api/openapi.json").json()
    assert printed == served
