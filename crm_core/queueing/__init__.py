"""Queue adapters: Azure Storage (Azurite locally) and an in-process queue, with Azure's semantics.

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
    """The named queue on the configured backend: Azure Storage when configured, else the in-process one.

    Names are lower-cased (Azure queue names are lower case), so `Inbound` and `inbound` are one queue.
    """
    name = name.lower()
    if settings.use_azure_queue:
        from crm_core.queueing.azure_storage import AzureStorageQueue

        return AzureStorageQueue(settings, name)
    return memory_queue(name)


def build_inbound_queue(settings: Settings) -> MessageQueue:
    """The inbound queue (INBOUND_QUEUE) the HTTP triggers enqueue to."""
    return open_queue(settings, settings.inbound_queue)


def poison_queue_name(name: str) -> str:
    """Where the Functions host moves a message that failed maxDequeueCount times."""
    return f"{name}-poison"
