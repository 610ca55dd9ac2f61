"""POST /api/app on the local host's defaults (`make run`): SQLite and the durable database queue in the same file.
The dashboard's chat and board moves go through it; it must answer 202 at once and the bot must reply."""

from __future__ import annotations

import time

import requests

from crm_core.clock import SystemClock
from crm_core.composition import Container
from crm_core.localhost import LocalHost
from tests.conftest import FakeChannel


def test_a_command_from_the_app_is_queued_durably_and_answered(settings, db) -> None:
    from crm_core.cli.demo import seed_demo

    durable = settings.model_copy(update={"queue_backend": "database"})
    with db.transaction() as session:
        seed_demo(session)
    container = Container(durable, database=db, clock=SystemClock(), whatsapp=FakeChannel())
    with LocalHost(container=container, timers=False, web_root=False) as host:
        login = requests.post(
            f"{host.url}/api/login", json={"username": "amit", "password": "demo-password-change-me"}, timeout=30
        )
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        started = time.monotonic()
        sent = requests.post(f"{host.url}/api/app", json={"text": "help"}, headers=headers, timeout=60)
        assert sent.status_code == 202, sent.text
        assert time.monotonic() - started < 5  # not a lock wait
        assert host.drain(30)
        inbox = requests.get(f"{host.url}/api/app/messages", headers=headers, timeout=10).json()
        assert inbox["items"], "the bot answered in the app"
