"""Routing straight from the app's function index: params, 404, 405, OPTIONS/CORS, crashes (no sockets)."""

from __future__ import annotations

import json

import pytest

from crm_core.localhost.http_server import Dispatcher
from crm_core.localhost.index import build_index, route_pattern
from tests.host.apps import http_app

BASE = "http://127.0.0.1:7071"


@pytest.fixture
def dispatcher() -> Dispatcher:
    return Dispatcher(build_index(http_app()), "api", lambda: ["http://localhost:3000"])


def call(d: Dispatcher, method: str, target: str, body: bytes = b"", headers=None):
    return d.dispatch(method, target, list((headers or {}).items()), body, BASE)


@pytest.mark.parametrize(
    ("route", "path", "params"),
    [
        ("leads/{user_id}", "leads/42", {"user_id": "42"}),
        ("leads/{user_id}", "LEADS/42", {"user_id": "42"}),
        ("leads/{user_id:int}", "leads/7", {"user_id": "7"}),
        ("files/{*rest}", "files/a/b/c.txt", {"rest": "a/b/c.txt"}),
        ("items/{id?}", "items", {}),
        ("items/{id?}", "items/3", {"id": "3"}),
        ("webhook", "webhook", {}),
        ("openapi.json", "openapi.json", {}),
    ],
)
def test_route_templates(route: str, path: str, params: dict) -> None:
    pattern, _ = route_pattern(route)
    m = pattern.fullmatch(path)
    assert m is not None
    assert {k: v for k, v in m.groupdict().items() if v is not None} == params


@pytest.mark.parametrize(
    ("route", "path"),
    [("leads/{user_id}", "leads"), ("leads/{user_id}", "leads/1/2"), ("openapi.json", "openapiXjson")],
)
def test_route_templates_do_not_overmatch(route: str, path: str) -> None:
    assert route_pattern(route)[0].fullmatch(path) is None


def test_a_route_param_reaches_the_function_with_query_headers_and_body(dispatcher: Dispatcher) -> None:
    answer = call(dispatcher, "POST", "/api/items/a%20b?x=1&x=2&empty=", "नमस्ते".encode(), {"X-Test": "yes"})
    assert answer.status == 201
    assert answer.header("X-Function") == "echo"
    assert answer.header("Content-Type").startswith("application/json")
    seen = json.loads(answer.body)
    assert seen["route_params"] == {"item_id": "a b"}
    assert seen["params"] == {"x": "1", "empty": ""}
    assert seen["body"] == "नमस्ते"
    assert seen["x_test"] == "yes"
    assert seen["url"] == f"{BASE}/api/items/a%20b?x=1&x=2&empty="


def test_several_route_params(dispatcher: Dispatcher) -> None:
    seen = json.loads(call(dispatcher, "GET", "/api/users/amit/leads/9").body)
    assert seen["route_params"] == {"username": "amit", "lead_id": "9"}


def test_a_literal_route_wins_over_a_parameter(dispatcher: Dispatcher) -> None:
    assert call(dispatcher, "GET", "/api/items/special").body == b"special"


def test_an_unknown_route_is_a_json_404(dispatcher: Dispatcher) -> None:
    for target in ("/api/nothing", "/items/1", "/", "/api"):
        answer = call(dispatcher, "GET", target)
        assert answer.status == 404
        assert json.loads(answer.body)["error"]["code"] == "not_found"


def test_a_wrong_method_is_405_with_allow(dispatcher: Dispatcher) -> None:
    answer = call(dispatcher, "DELETE", "/api/items/1")
    assert answer.status == 405
    assert answer.header("Allow") == "GET, POST"
    assert json.loads(answer.body)["error"]["code"] == "method_not_allowed"


def test_options_goes_to_a_function_that_declares_it(dispatcher: Dispatcher) -> None:
    assert call(dispatcher, "OPTIONS", "/api/own-options").status == 299


def test_options_elsewhere_is_a_cors_preflight_for_allowed_origins(dispatcher: Dispatcher) -> None:
    headers = {"Origin": "http://localhost:3000", "Access-Control-Request-Headers": "authorization"}
    answer = call(dispatcher, "OPTIONS", "/api/items/1", headers=headers)
    assert answer.status == 204
    assert answer.header("Access-Control-Allow-Origin") == "http://localhost:3000"
    assert answer.header("Access-Control-Allow-Methods") == "GET, POST, OPTIONS"
    assert answer.header("Access-Control-Allow-Headers") == "authorization"
    stranger = call(dispatcher, "OPTIONS", "/api/items/1", headers={"Origin": "https://evil.example"})
    assert stranger.status == 204 and stranger.header("Access-Control-Allow-Origin") is None


def test_allowed_origins_get_cors_on_normal_answers(dispatcher: Dispatcher) -> None:
    answer = call(dispatcher, "GET", "/api/items/1", headers={"Origin": "http://localhost:3000"})
    assert answer.header("Access-Control-Allow-Origin") == "http://localhost:3000"
    assert call(dispatcher, "GET", "/api/items/1").header("Access-Control-Allow-Origin") is None


def test_a_crash_is_a_500_without_internals_and_is_logged(dispatcher: Dispatcher, caplog) -> None:
    answer = call(dispatcher, "GET", "/api/boom")
    assert answer.status == 500
    assert json.loads(answer.body)["error"]["code"] == "internal_error"
    assert b"secret internals" not in answer.body and b"Traceback" not in answer.body
    assert "secret internals" in caplog.text


def test_return_values_that_are_not_http_responses() -> None:
    from crm_core.localhost.http_server import _convert

    assert _convert(None).status == 204
    assert _convert("hi").body == b"hi"
    assert json.loads(_convert({"a": 1}).body) == {"a": 1}


def _asgi_app():
    """An AsgiFunctionApp around a tiny ASGI app that echoes what it saw, plus a literal function route."""
    import azure.functions as func

    async def echo_app(scope, receive, send):
        message = await receive()
        seen = {
            "method": scope["method"],
            "path": scope["path"],
            "query": scope["query_string"].decode(),
            "x_test": dict(scope["headers"]).get(b"x-test", b"").decode(),
            "body": message["body"].decode(),
        }
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": json.dumps(seen).encode()})

    app = func.AsgiFunctionApp(app=echo_app, http_auth_level=func.AuthLevel.ANONYMOUS)

    @app.route(route="hook", methods=["POST"])
    def hook(req: func.HttpRequest) -> func.HttpResponse:
        return func.HttpResponse("hook")

    return app


def test_an_asgi_function_app_is_served_directly_and_literal_routes_win() -> None:
    d = Dispatcher(build_index(_asgi_app()), "api")
    try:
        assert call(d, "POST", "/api/hook").body == b"hook"
        answer = call(d, "PUT", "/api/things/a%20b?x=1", "नमस्ते".encode(), {"X-Test": "yes"})
        assert answer.status == 200 and answer.function == "http_app_func"
        assert json.loads(answer.body) == {
            "method": "PUT",
            "path": "/api/things/a b",
            "query": "x=1",
            "x_test": "yes",
            "body": "नमस्ते",
        }
        assert json.loads(call(d, "GET", "/api/hook").body)["path"] == "/api/hook"  # other methods: the app's
    finally:
        d.close()


def test_paths_outside_the_prefix_go_to_the_outside_handler() -> None:
    from crm_core.localhost.http_server import Answer

    seen = []

    def outside(method, target, headers, body, base_url):
        seen.append((method, target))
        return Answer(200, [("Content-Type", "text/html")], b"<h1>dashboard</h1>")

    d = Dispatcher(build_index(http_app()), "api", outside_prefix=outside)
    assert call(d, "GET", "/").body == b"<h1>dashboard</h1>"
    assert call(d, "GET", "/assets/app.js").status == 200
    assert call(d, "GET", "/api/items/1").status == 200  # the prefix still goes to the functions
    assert seen == [("GET", "/"), ("GET", "/assets/app.js")]
