"""Message ids are unique per (provider, sender, message id), not per provider: Maytapi ids are made by the sender's
phone, and another sender's colliding id must not turn that sender's message into a "duplicate" that is dropped.
On SQLite and PostgreSQL (the UNIQUE constraint comes from the migration)."""

from __future__ import annotations

import json
from typing import Any

import azure.functions as func
import pytest

import crm_core.pipeline.process as process
from crm_core.composition import Container, set_container
from crm_core.db.models import Lead
from crm_core.pipeline.process import process_queue_message
from crm_core.pipeline.webhook import handle_webhook
from tests.delivery.helpers import add_user
from tests.pipeline.support import PHONE, FakeQueue, FakeRespond, count, inbound

SECRET = "test-webhook-secret"
OTHER = "+919811122334"


def maytapi(**message: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "message",
        "message": {"id": "wamid-1", "type": "text", "text": "New lead: Sharma Traders", "fromMe": False},
        "user": {"id": "919876543210@c.us", "name": "Ravi", "phone": "919876543210"},
        "conversation": "919876543210@c.us",
        "timestamp": 1795500000,
    }
    body["message"].update(message)
    return body


def post(body: Any) -> func.HttpResponse:
    req = func.HttpRequest(
        "POST",
        "http://localhost/api/webhook",
        headers={"Content-Type": "application/json"},
        params={"secret": SECRET},
        body=json.dumps(body).encode(),
    )
    return handle_webhook(req)


@pytest.fixture
def queue() -> FakeQueue:
    return FakeQueue()


@pytest.fixture
def respond(monkeypatch) -> FakeRespond:
    fake = FakeRespond()
    monkeypatch.setattr(process, "_respond", fake)
    return fake


def _pipeline(settings, database, clock, fake_channel, queue) -> Container:
    container = Container(settings, database=database, clock=clock, whatsapp=fake_channel, queue=queue, parser=object())  # type: ignore[arg-type]
    set_container(container)
    return container


def _deliver_all(queue: FakeQueue) -> None:
    bodies = [body for body, _ in queue.sent]
    queue.sent.clear()
    for body in bodies:
        process_queue_message(body)


def _colliding_ids_from_two_senders(container: Container, queue: FakeQueue, database, respond, fake_channel) -> None:
    ravi = maytapi(id="3EB0C0LLIDE", text="New lead: Sharma Traders")
    amit = maytapi(id="3EB0C0LLIDE", text="New lead: Desai Pharma")
    amit["user"] = {"id": "919811122334@c.us", "name": "Amit", "phone": "919811122334"}
    amit["conversation"] = "919811122334@c.us"
    assert post(ravi).status_code == 200
    assert post(amit).status_code == 200
    _deliver_all(queue)
    assert post(ravi).status_code == 200  # Maytapi retries: still the same message of Ravi's
    _deliver_all(queue)
    rows = inbound(database)
    assert sorted((r.sender, r.status) for r in rows) == [(OTHER, "done"), (PHONE, "done")]
    assert sorted(respond.calls) == ["New lead: Desai Pharma", "New lead: Sharma Traders"]
    assert count(database, Lead) == 2
    assert fake_channel.sent[OTHER] == ["Lead created: Desai Pharma"]


def test_the_same_message_id_from_another_sender_is_another_message_sqlite(
    settings, db, clock, fake_channel, queue, respond
) -> None:
    add_user(db)
    add_user(db, username="amit", phone=OTHER, name="Amit Verma")
    container = _pipeline(settings, db, clock, fake_channel, queue)
    _colliding_ids_from_two_senders(container, queue, db, respond, fake_channel)


@pytest.mark.postgres
def test_the_same_message_id_from_another_sender_is_another_message_postgres(
    settings, pg_db, clock, fake_channel, queue, respond
) -> None:
    add_user(pg_db)
    add_user(pg_db, username="amit", phone=OTHER, name="Amit Verma")
    container = _pipeline(settings, pg_db, clock, fake_channel, queue)
    _colliding_ids_from_two_senders(container, queue, pg_db, respond, fake_channel)
