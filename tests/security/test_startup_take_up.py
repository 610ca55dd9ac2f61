"""At start-up the local host takes up at once what a previous run left unsettled: queue messages a killed host had
received (their leases would otherwise hide them for 10 minutes) and inbound messages recorded but never applied
(otherwise stranded for 30 minutes, or for ever with an in-memory queue)."""

from __future__ import annotations

import time

import pytest

import crm_core.pipeline.process as process
from crm_core.clock import SystemClock
from crm_core.composition import Container
from crm_core.envelope import Envelope
from crm_core.localhost import LocalHost
from crm_core.localhost.queue_runner import LEASE_SECONDS
from crm_core.pipeline.process import record_inbound
from crm_core.queueing import open_queue
from crm_core.queueing.database import reset_database_queues
from tests.delivery.helpers import add_user
from tests.pipeline.support import PHONE, FakeRespond, envelope, inbound

pytestmark = pytest.mark.e2e


@pytest.fixture
def respond(monkeypatch) -> FakeRespond:
    fake = FakeRespond()
    monkeypatch.setattr(process, "_respond", fake)
    return fake


def _container(settings, db, fake_channel, backend: str) -> Container:
    reset_database_queues()
    live = settings.model_copy(update={"queue_backend": backend, "inbound_queue": f"takeup-{backend}"})
    return Container(live, database=db, clock=SystemClock(), whatsapp=fake_channel, parser=object())  # type: ignore[arg-type]


def _wait_until(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.mark.parametrize("backend", ["database", "memory"])
def test_messages_recorded_but_not_applied_are_taken_up_at_start(settings, db, fake_channel, respond, backend):
    add_user(db)
    container = _container(settings, db, fake_channel, backend)
    texts = ["New lead: Sharma Traders", "Lead qualified for Sharma Traders", "note after"]
    now = container.clock.now()
    for n, text in enumerate(texts):  # a killed host recorded these; their queue copies died with it
        record_inbound(container, Envelope.from_json(envelope(text, f"m{n}", now)))
    with LocalHost(container=container, timers=False):
        assert _wait_until(lambda: {row.status for row in inbound(db)} == {"done"})
    assert respond.calls == texts
    assert fake_channel.sent[PHONE][:2] == ["Lead created: Sharma Traders", "Sharma Traders is qualified ✅"]


def test_a_message_a_killed_host_was_processing_is_taken_up_at_start(settings, db, fake_channel, respond):
    add_user(db)
    container = _container(settings, db, fake_channel, "database")
    queue = open_queue(container.settings, container.settings.inbound_queue)
    queue.send(envelope("New lead: Sharma Traders", "m1", container.clock.now()))
    queue.receive(1, LEASE_SECONDS)  # the previous host took it, then died before settling it
    with LocalHost(container=container, timers=False) as host:
        assert _wait_until(lambda: respond.calls == ["New lead: Sharma Traders"])
        assert host.drain(20)
    assert queue.count() == 0
    assert [row.status for row in inbound(db)] == ["done"]
