"""The Azure Storage adapter against a real Azurite: Base64 on the wire, Devanagari intact, leases and delays."""

from __future__ import annotations

import base64
import uuid

import pytest

from crm_core.queueing import MessageGone
from crm_core.queueing.azure_storage import AzureStorageQueue
from crm_core.settings import load_settings

pytestmark = pytest.mark.azurite

HINDI = "नई लीड: शर्मा ट्रेडर्स, राकेश शर्मा, 9876543210 — कल 4 बजे डेमो"


@pytest.fixture
def queue(azurite) -> AzureStorageQueue:
    settings = load_settings(AzureWebJobsStorage=azurite.connection_string, QUEUE_BACKEND="azure")
    q = AzureStorageQueue(settings, f"t-{uuid.uuid4().hex[:16]}")
    yield q
    q.client.delete_queue()
    q.close()


def test_round_trip_keeps_devanagari_and_is_base64_on_the_wire(queue: AzureStorageQueue, azurite) -> None:
    from azure.storage.queue import QueueClient

    queue.send(HINDI)
    raw = QueueClient.from_connection_string(azurite.connection_string, queue.name)  # no decode policy
    [peeked] = list(raw.peek_messages(max_messages=1))
    raw.close()
    # What the Functions host sees, and decodes because host.json says messageEncoding: base64.
    assert base64.b64decode(peeked.content).decode("utf-8") == HINDI
    [m] = queue.receive(max_messages=1, visibility_timeout=30)
    assert m.body == HINDI and m.dequeue_count == 1
    queue.delete(m)
    assert queue.count() == 0


def test_a_delayed_message_is_held_back(queue: AzureStorageQueue) -> None:
    queue.send("later", delay_seconds=300)
    assert queue.count() == 1
    assert queue.receive(max_messages=5) == []
    assert queue.peek() == []


def test_release_and_stale_receipts_behave_like_the_in_memory_queue(queue: AzureStorageQueue) -> None:
    queue.send("retry me")
    [first] = queue.receive(visibility_timeout=300)
    assert queue.receive() == []
    queue.release(first, visibility_timeout=0)
    [second] = queue.receive(visibility_timeout=300)
    assert second.id == first.id and second.dequeue_count == 2
    with pytest.raises(MessageGone):
        queue.delete(first)
    queue.delete(second)
    assert queue.count() == 0


def test_the_queue_is_created_when_missing(azurite) -> None:
    settings = load_settings(AzureWebJobsStorage=azurite.connection_string, QUEUE_BACKEND="azure")
    q = AzureStorageQueue(settings, f"new-{uuid.uuid4().hex[:12]}")
    q.send("first")
    assert q.peek() == ["first"]
    q.client.delete_queue()
    q.close()
