"""Queue adapters with Azure's semantics: Azure Storage (Azurite locally), a durable table in the app's database
(the embedded default), and an in-process queue (tests, `chat`; lost with the process).

`build_inbound_queue(settings)` is what the composition root calls; `open_queue(settings, name)` gives the local
host any named queue (the inbound queue and its `-poison` companion) on the same backend.
"""

from __future__ import annotations

from crm_core.queueing.base import MessageGone, MessageQueue, ReceivedMessage
from crm_core.queueing.memory import InMemoryQueue, memory_queue, reset_memory_queues
from crm_core.settings import Settings

__all__ = [
    "InMemoryQueue",
    "MessageGone",
    "MessageQueue",
    "ReceivedMessage",
    "build_inbound_queue",
    "memory_queue",
    "open_queue",
    "poison_queue_name",
    "reset_memory_queues",
]


def open_queue(settings: Settings, name: str) -> MessageQueue:
    """The named queue on the configured backend (`Settings.queue_kind`): Azure Storage when configured, else the
    durable queue in the app's database; the in-process one only when asked for.

    Names are lower-cased (Azure queue names are lower case), so `Inbound` and `inbound` are one queue.
    """
    name = name.lower()
    kind = settings.queue_kind
    if kind == "azure":
        from crm_core.queueing.azure_storage import AzureStorageQueue

        return AzureStorageQueue(settings, name)
    if kind == "database":
        from crm_core.envelope import ordering_group
        from crm_core.queueing.database import database_queue

        # One sender's envelopes are handed out in the order the webhook received them, one at a time.
        return database_queue(settings.database_url, name, group_of=ordering_group)
    return memory_queue(name)


def build_inbound_queue(settings: Settings) -> MessageQueue:
    """The inbound queue (INBOUND_QUEUE) the HTTP triggers enqueue to."""
    return open_queue(settings, settings.inbound_queue)


def poison_queue_name(name: str) -> str:
    """Where the Functions host moves a message that failed maxDequeueCount times."""
    return f"{name}-poison"
