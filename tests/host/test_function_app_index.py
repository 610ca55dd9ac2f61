"""The project's function_app as the local host reads it: the seed's routes, the queue and timer triggers."""

from __future__ import annotations

import json

import pytest
import requests

import function_app
from crm_core.localhost import LocalHost
from crm_core.localhost.config import resolve_placeholders
from crm_core.localhost.index import build_index
from crm_core.localhost.ncrontab import parse_schedule

SEED_ROUTES = {
    "register": {"POST"},
    "login": {"POST"},
    "leads/{user_id}": {"GET"},
    "tasks/{username}": {"GET"},
    "activities/{lead_id}": {"GET"},
    "history/{lead_id}": {"GET"},
    "webhook": {"POST"},
    "app": {"POST"},
    "app/messages": {"GET"},
}


def test_the_index_lists_the_seed_routes_and_the_message_endpoints() -> None:
    index = build_index(function_app.app)
    routes = {f.route: f.methods for f in index.http}
    for route, methods in SEED_ROUTES.items():
        assert route in routes, route
        assert methods <= routes[route], route


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
        wrong = requests.get(f"{host.url}/api/webhook", timeout=10)
        assert wrong.status_code == 405 and wrong.headers["Allow"] == "POST"
        refused = requests.post(f"{host.url}/api/webhook?secret=wrong", data=b"{}", timeout=10)
        assert refused.status_code == 401
        doc = requests.get(f"{host.url}/api/openapi.json", timeout=10)
        assert doc.status_code == 200 and "paths" in doc.json()


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
