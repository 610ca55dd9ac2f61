"""The project's function_app as the local host reads it: the webhook, the API behind AsgiFunctionApp, the queue
and timer triggers; and the API reached through the Functions path (AsgiMiddleware) and through the local host."""

from __future__ import annotations

import json

import pytest
import requests

import function_app
from crm_core.localhost import LocalHost
from crm_core.localhost.config import resolve_placeholders
from crm_core.localhost.index import build_index
from crm_core.localhost.schedule import parse_schedule

SEED_ROUTES = {
    "/register": {"POST"},
    "/login": {"POST"},
    "/leads/{user_id}": {"GET"},
    "/tasks/{username}": {"GET"},
    "/activities/{lead_id}": {"GET"},
    "/history/{lead_id}": {"GET"},
    "/app": {"POST"},
    "/app/messages": {"GET"},
}


def test_the_index_has_the_webhook_first_then_the_api_catch_all() -> None:
    index = build_index(function_app.app)
    assert [(f.name, f.route) for f in index.http] == [("webhook", "webhook"), ("http_app_func", "/{*route}")]
    assert index.http[0].methods == {"POST"} and index.http[0].asgi is None
    assert index.http[1].asgi is not None  # served directly by the local host


def test_the_api_serves_the_seed_routes() -> None:
    from crm_core.api.app import api_routes

    routes: dict[str, set[str]] = {}
    for route in api_routes():
        routes.setdefault(route.path, set()).update(route.methods)
    for route, methods in SEED_ROUTES.items():
        assert methods <= routes.get(route, set()), route


def test_the_api_through_the_functions_path(container) -> None:
    """The AsgiFunctionApp's function itself, called as the worker calls it: AsgiMiddleware, then FastAPI."""
    import azure.functions as func

    from crm_core.localhost.invoke import call_function
    from tests.api.client import private_app

    [fn] = [f for f in private_app().get_functions() if f.get_function_name() == "http_app_func"]
    req = func.HttpRequest("GET", "http://localhost/api/users/me", headers={}, body=b"")
    resp = call_function(fn.get_user_function(), "req", req)
    assert resp.status_code == 401 and json.loads(resp.get_body())["error"]["code"] == "unauthorized"
    req = func.HttpRequest("GET", "http://localhost/api/openapi.json", headers={}, body=b"")
    resp = call_function(fn.get_user_function(), "req", req)
    assert resp.status_code == 200 and "/leads/{user_id}" in json.loads(resp.get_body())["paths"]


def test_the_index_has_the_inbound_queue_its_poison_queue_and_the_sweep_timer(settings) -> None:
    index = build_index(function_app.app)
    queues = {resolve_placeholders(f.queue_name, settings) for f in index.queues}
    assert queues == {"inbound", "inbound-poison"}
    assert [t.name for t in index.timers] == ["sweep"]
    schedule = resolve_placeholders(index.timers[0].schedule, settings)
    assert parse_schedule(schedule).expression == "0 */1 * * * *"
    assert index.timers[0].run_on_startup is False


def test_the_real_app_on_the_local_host(container) -> None:
    with LocalHost(container=container, timers=False) as host:
        missing = requests.get(f"{host.url}/api/no-such-route", timeout=10)
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
        # Like the Functions host, a method the webhook does not take falls through to the API's catch-all.
        wrong = requests.get(f"{host.url}/api/webhook", timeout=10)
        assert wrong.status_code == 404 and wrong.json()["error"]["code"] == "not_found"
        me = requests.get(f"{host.url}/api/users/me", timeout=10, headers={"X-Forwarded-For": "203.0.113.9"})
        assert me.status_code == 401 and me.headers["WWW-Authenticate"].startswith("Bearer")
        refused = requests.post(f"{host.url}/api/webhook?secret=wrong", data=b"{}", timeout=10)
        assert refused.status_code == 401
        doc = requests.get(f"{host.url}/api/openapi.json", timeout=10)
        assert doc.status_code == 200 and "paths" in doc.json()
        docs = requests.get(f"{host.url}/api/docs", timeout=10)
        assert docs.status_code == 200 and "swagger-ui" in docs.text


@pytest.mark.e2e
def test_help_over_the_webhook_through_the_real_pipeline(container, fake_channel) -> None:
    from crm_core.accounts import NewUser, create_user

    with container.database.transaction() as s:
        create_user(s, NewUser(username="priya", name="Priya", phone="+919800000001", role="leader"))
    with LocalHost(container=container, timers=False) as host:
        body = {
            "type": "message",
            "message": {"id": "wamid-help-1", "type": "text", "text": "help", "fromMe": False},
            "user": {"id": "919800000001@c.us", "name": "Priya", "phone": "919800000001"},
            "conversation": "919800000001@c.us",
            "timestamp": int(container.clock.now().timestamp()),
        }
        r = requests.post(
            f"{host.url}/api/webhook", params={"secret": "test-webhook-secret"}, data=json.dumps(body), timeout=10
        )
        assert r.status_code == 200, r.text
        assert host.drain(60)
    [reply] = fake_channel.sent["+919800000001"]
    assert "lead" in reply.lower()
