"""One sender's messages are applied in the order they reached the webhook, even when Maytapi's whole-second
timestamps tie and the queue hands them to workers in another order (Azure queues are not FIFO, and workers record
concurrently). The webhook stamps each envelope with a receive sequence; processing orders by
(sent_at, receive_seq, id) instead of (sent_at, id), where id is merely the order workers happened to record them.
"""

from __future__ import annotations

import json
import random
import time
from datetime import timedelta
from typing import Any

import azure.functions as func
import pytest
import requests

import crm_core.pipeline.process as process
from crm_core.clock import SystemClock
from crm_core.composition import Container, set_container
from crm_core.db.models import Lead
from crm_core.pipeline.process import process_queue_message
from crm_core.pipeline.webhook import handle_webhook
from tests.delivery.helpers import add_user
from tests.pipeline.support import PHONE, FakeQueue, FakeRespond, inbound

SECRET = "test-webhook-secret"  # the `settings` fixture's
TIMESTAMP = 1795500000  # every message of a burst carries the same whole second


def maytapi(text: str, message_id: str, phone: str = PHONE) -> dict[str, Any]:
    """A Maytapi text message event."""
    digits = phone.lstrip("+")
    return {
        "type": "message",
        "message": {"id": message_id, "type": "text", "text": text, "fromMe": False},
        "user": {"id": f"{digits}@c.us", "name": "Ravi", "phone": digits},
        "conversation": f"{digits}@c.us",
        "timestamp": TIMESTAMP,
    }


def webhook(body: dict[str, Any]) -> func.HttpResponse:
    req = func.HttpRequest(
        "POST",
        "http://localhost/api/webhook",
        headers={"Content-Type": "application/json"},
        params={"secret": SECRET},
        body=json.dumps(body).encode(),
    )
    return handle_webhook(req)


@pytest.fixture
def respond(monkeypatch) -> FakeRespond:
    fake = FakeRespond()
    monkeypatch.setattr(process, "_respond", fake)
    return fake


@pytest.fixture
def windowed(settings, db, clock, fake_channel) -> tuple[Container, FakeQueue]:
    """The pipeline with the default 2-second ordering window; the queue records sends (and deferrals)."""
    queue = FakeQueue()
    windowed = settings.model_copy(update={"ordering_window_seconds": 2.0})
    container = Container(windowed, database=db, clock=clock, whatsapp=fake_channel, queue=queue, parser=object())  # type: ignore[arg-type]
    set_container(container)
    add_user(db)
    return container, queue


def _receive(queue: FakeQueue, texts: list[str]) -> list[str]:
    """Post each text to the webhook in this order; return the queued envelopes, in the same order."""
    for n, text in enumerate(texts):
        assert webhook(maytapi(text, f"wamid-{n:04d}")).status_code == 200
    bodies = [body for body, _ in queue.sent]
    queue.sent.clear()
    return bodies


def _hand_over(queue: FakeQueue, bodies: list[str], order: random.Random) -> None:
    """Workers take the queue's messages in an arbitrary order (each records its message; all are too young)."""
    for body in order.sample(bodies, len(bodies)):
        process_queue_message(body)


def test_a_burst_of_200_with_one_timestamp_is_applied_in_receipt_order(windowed, clock, respond, db) -> None:
    _container, queue = windowed
    texts = [f"note {n:03d}" for n in range(240)]
    bodies = _receive(queue, texts)
    order = random.Random(17)
    _hand_over(queue, bodies, order)  # recorded in worker order, every one deferred by the window
    assert respond.calls == []
    deferred = [body for body, delay in queue.sent]
    assert len(deferred) == len(texts)
    queue.sent.clear()
    clock.advance(timedelta(seconds=3))
    _hand_over(queue, deferred, order)  # the deferred copies come back, again in any order
    assert queue.sent == []
    inversions = sum(1 for a, b in zip(respond.calls, respond.calls[1:], strict=False) if a > b)
    assert inversions == 0 and respond.calls == texts
    assert {row.status for row in inbound(db)} == {"done"}


def test_new_lead_then_qualify_pasted_together_apply_in_order(windowed, clock, respond, fake_channel, db) -> None:
    _container, queue = windowed
    new_lead, qualify = _receive(queue, ["New lead: Sharma Traders", "Lead qualified for Sharma Traders"])
    process_queue_message(qualify)  # the queue hands the second one over first
    process_queue_message(new_lead)
    clock.advance(timedelta(seconds=3))
    for body, _ in list(queue.sent):
        process_queue_message(body)
    assert respond.calls == ["New lead: Sharma Traders", "Lead qualified for Sharma Traders"]
    assert fake_channel.sent[PHONE] == ["Lead created: Sharma Traders", "Sharma Traders is qualified ✅"]
    with db.sessions() as session:
        assert session.query(Lead).one().status == "qualified"


def test_envelopes_carry_a_strictly_increasing_receive_stamp(windowed) -> None:
    from crm_core.envelope import Envelope

    _container, queue = windowed
    stamps = [Envelope.from_json(b).receive_seq for b in _receive(queue, [f"m {n}" for n in range(50)])]
    assert all(isinstance(s, int) for s in stamps)
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    assert abs(stamps[0] - time.time_ns()) < 60 * 10**9  # a receive time, in nanoseconds


@pytest.mark.e2e
def test_a_burst_through_the_local_host_is_applied_in_receipt_order(settings, db, fake_channel, respond) -> None:
    """The same over HTTP: the durable queue, 12 concurrent workers, the 2-second window, one timestamp."""
    from crm_core.localhost import LocalHost

    add_user(db)
    live = settings.model_copy(update={"ordering_window_seconds": 2.0, "queue_backend": "database"})
    container = Container(live, database=db, clock=SystemClock(), whatsapp=fake_channel, parser=object())  # type: ignore[arg-type]
    texts = [f"note {n:03d}" for n in range(200)]
    with LocalHost(container=container, timers=False) as host, requests.Session() as http:
        for n, text in enumerate(texts):
            r = http.post(f"{host.url}/api/webhook", params={"secret": SECRET}, json=maytapi(text, f"h-{n:04d}"))
            assert r.status_code == 200, r.text
        assert host.drain(120)
    assert respond.calls == texts
