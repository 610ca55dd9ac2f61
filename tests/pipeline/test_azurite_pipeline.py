"""Webhook → a real Azure Storage queue (Azurite) → the queue function → Maytapi (the fake), and the poison path.

A tiny host loop plays the Functions runtime: receive, run, delete on success; on failure make the message
visible again, and after maxDequeueCount (5, as in host.json) move it to `<queue>-poison`.
Uses the shared session `azurite` fixture (tests/azurite_support.py) and the real queue adapter (crm_core.queueing).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import azure.functions as func
import pytest

import crm_core.pipeline.process as process
from crm_core.composition import Container, set_container
from crm_core.db.models import Lead
from crm_core.delivery.channels import MaytapiChannel
from crm_core.errors import TransientError
from crm_core.pipeline.process import process_poison_message, process_queue_message
from crm_core.pipeline.webhook import handle_webhook
from crm_core.queueing import MessageQueue, build_inbound_queue, open_queue, poison_queue_name
from crm_core.queueing.azure_storage import AzureStorageQueue
from tests.delivery.helpers import add_user
from tests.fakes.maytapi_server import MaytapiFake
from tests.pipeline.support import FakeRespond, count, inbound

pytestmark = pytest.mark.azurite

MAX_DEQUEUE = 5  # host.json extensions.queues.maxDequeueCount


def run_host(main: MessageQueue, poison: MessageQueue, *, wait_for_delayed: bool = False) -> int:
    """Play the Functions host until both queues are empty; return how many invocations ran."""
    runs = 0
    deadline = time.monotonic() + 60  # a safety net against a hang, not a speed assertion
    while time.monotonic() < deadline:
        progressed = False
        for q, is_poison in ((main, False), (poison, True)):
            for msg in q.receive(max_messages=16, visibility_timeout=30):
                progressed = True
                runs += 1
                try:
                    if is_poison:
                        process_poison_message(msg.body)
                    else:
                        process_queue_message(msg.body, dequeue_count=msg.dequeue_count)
                except Exception:
                    if not is_poison and msg.dequeue_count >= MAX_DEQUEUE:
                        poison.send(msg.body)
                        q.delete(msg)
                    else:
                        q.release(msg, visibility_timeout=0)
                    continue
                q.delete(msg)
        if not progressed:
            if wait_for_delayed and main.count() + poison.count() > 0:
                time.sleep(0.2)  # a re-enqueued message is still invisible (its delay)
                continue
            return runs
    raise AssertionError("the queues did not drain")


@pytest.fixture
def pipeline(azurite, settings, db, clock, monkeypatch) -> Iterator[dict[str, Any]]:
    name = f"inbound{uuid.uuid4().hex[:10]}"
    azure_settings = settings.model_copy(
        update={"azure_web_jobs_storage": azurite.connection_string, "queue_backend": "azure", "inbound_queue": name}
    )
    main = build_inbound_queue(azure_settings)
    poison = open_queue(azure_settings, poison_queue_name(name))
    assert isinstance(main, AzureStorageQueue)
    respond = FakeRespond()
    monkeypatch.setattr(process, "_respond", respond)
    with MaytapiFake() as fake:
        channel = MaytapiChannel(fake.send_url, fake.token, timeout_seconds=5)
        container = Container(azure_settings, database=db, clock=clock, whatsapp=channel, parser=object())  # type: ignore[arg-type]
        set_container(container)
        assert container.queue.name == name  # the composition root builds the real Azure adapter
        add_user(db)
        yield {"main": main, "poison": poison, "respond": respond, "fake": fake, "db": db}
    for q in (main, poison):
        assert isinstance(q, AzureStorageQueue)
        q.client.delete_queue()


def webhook(text: str, message_id: str, timestamp: int = 1795500000) -> func.HttpResponse:
    body = {
        "product_id": "p",
        "phone_id": "12",
        "type": "message",
        "message": {"id": message_id, "type": "text", "text": text, "fromMe": False},
        "user": {"phone": "919876543210", "name": "Ravi"},
        "conversation": "919876543210@c.us",
        "timestamp": timestamp,
    }
    req = func.HttpRequest(
        "POST", "http://localhost/api/webhook", params={"secret": "test-webhook-secret"}, body=json.dumps(body).encode()
    )
    return handle_webhook(req)


def test_webhook_to_queue_to_whatsapp_once_even_when_maytapi_redelivers(pipeline):
    assert webhook("New lead: Sharma Traders", "3EB0AAA").status_code == 200
    assert webhook("New lead: Sharma Traders", "3EB0AAA").status_code == 200  # Maytapi delivers twice
    run_host(pipeline["main"], pipeline["poison"])
    assert count(pipeline["db"], Lead) == 1
    assert pipeline["fake"].texts_to("+919876543210") == ["Lead created: Sharma Traders"]
    assert [r.status for r in inbound(pipeline["db"])] == ["done"]


def test_message_failing_five_times_goes_to_poison_and_one_apology(pipeline):
    pipeline["respond"].raise_with = TransientError("database paused")
    assert webhook("New lead: Sharma Traders", "3EB0BBB").status_code == 200
    runs = run_host(pipeline["main"], pipeline["poison"])
    assert runs == MAX_DEQUEUE + 1  # five tries, then one poison-queue run
    assert len(pipeline["respond"].calls) == MAX_DEQUEUE
    (row,) = inbound(pipeline["db"])
    assert (row.status, row.attempts) == ("poison", MAX_DEQUEUE)
    (apology,) = pipeline["fake"].texts_to("+919876543210")
    assert "could not process" in apology
    assert count(pipeline["db"], Lead) == 0


def test_reversed_pair_through_the_real_queue_is_applied_in_order(pipeline):
    from crm_core.clock import SystemClock

    container = process.get_container()
    ordered = Container(
        container.settings.model_copy(update={"ordering_window_seconds": 1.0}),
        database=container.database,
        clock=SystemClock(),
        whatsapp=container.whatsapp,
        queue=container.queue,
        parser=object(),  # type: ignore[arg-type]
    )
    set_container(ordered)
    assert webhook("Lead qualified for Sharma Traders", "3EB0-2", timestamp=1795500005).status_code == 200
    assert webhook("New lead: Sharma Traders", "3EB0-1", timestamp=1795500001).status_code == 200
    run_host(pipeline["main"], pipeline["poison"], wait_for_delayed=True)
    assert pipeline["respond"].calls == ["New lead: Sharma Traders", "Lead qualified for Sharma Traders"]
    assert pipeline["fake"].texts_to("+919876543210") == [
        "Lead created: Sharma Traders",
        "Sharma Traders is qualified ✅",
    ]
