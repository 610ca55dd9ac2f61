"""An in-process queue with Azure Storage Queue semantics, shared by name across the process.

The HTTP function that enqueues and the local host's queue runner find the same queue through `memory_queue(name)`.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from crm_core.queueing.base import MessageGone, ReceivedMessage


@dataclass
class _Stored:
    id: str
    body: str
    visible_at: float
    inserted_at: datetime
    seq: int
    dequeue_count: int = 0
    pop_receipt: str | None = None


class InMemoryQueue:
    """A thread-safe queue: delayed sends, visibility timeouts, dequeue counts and pop receipts like Azure's."""

    def __init__(self, name: str, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self._now = monotonic
        self._messages: dict[str, _Stored] = {}
        self._seq = 0
        self._changed = threading.Condition()

    def send(self, body: str, *, delay_seconds: float = 0) -> None:
        """Enqueue one message body; visible after delay_seconds."""
        self.send_message(body, delay_seconds=delay_seconds)

    def send_message(self, body: str, *, delay_seconds: float = 0) -> str:
        """Enqueue one message body and return its id."""
        if not isinstance(body, str):
            raise TypeError("a queue message body is text")
        if delay_seconds < 0:
            raise ValueError("delay_seconds cannot be negative")
        with self._changed:
            self._seq += 1
            stored = _Stored(
                id=str(uuid.uuid4()),
                body=body,
                visible_at=self._now() + delay_seconds,
                inserted_at=datetime.now(UTC),
                seq=self._seq,
            )
            self._messages[stored.id] = stored
            self._changed.notify_all()
            return stored.id

    def receive(self, max_messages: int = 1, visibility_timeout: float = 30.0) -> list[ReceivedMessage]:
        """Take up to max_messages visible messages (oldest first), hiding them for visibility_timeout seconds."""
        if max_messages < 1:
            raise ValueError("max_messages must be at least 1")
        with self._changed:
            now = self._now()
            visible = sorted((m for m in self._messages.values() if m.visible_at <= now), key=lambda m: m.seq)
            taken: list[ReceivedMessage] = []
            for stored in visible[:max_messages]:
                stored.dequeue_count += 1
                stored.pop_receipt = uuid.uuid4().hex
                stored.visible_at = now + visibility_timeout
                taken.append(self._received(stored))
            return taken

    def delete(self, message: ReceivedMessage) -> None:
        """Remove a received message (MessageGone when its pop receipt is stale)."""
        with self._changed:
            self._owned(message)
            del self._messages[message.id]
            self._changed.notify_all()

    def release(self, message: ReceivedMessage, visibility_timeout: float = 0.0) -> ReceivedMessage:
        """Make a received message visible again after visibility_timeout seconds; the new receipt is returned."""
        with self._changed:
            stored = self._owned(message)
            stored.pop_receipt = uuid.uuid4().hex
            stored.visible_at = self._now() + max(0.0, visibility_timeout)
            self._changed.notify_all()
            return replace(self._received(stored))

    def count(self) -> int:
        """How many messages the queue holds, visible or not."""
        with self._changed:
            return len(self._messages)

    def peek(self, max_messages: int = 32) -> list[str]:
        """The bodies of up to max_messages visible messages, without receiving them."""
        with self._changed:
            now = self._now()
            visible = sorted((m for m in self._messages.values() if m.visible_at <= now), key=lambda m: m.seq)
            return [m.body for m in visible[:max_messages]]

    def clear(self) -> None:
        """Drop every message (tests)."""
        with self._changed:
            self._messages.clear()
            self._changed.notify_all()

    def wait(self, timeout: float) -> None:
        """Block until the queue changes, a hidden message becomes visible, or timeout seconds pass."""
        with self._changed:
            now = self._now()
            if any(m.visible_at <= now for m in self._messages.values()):
                return
            hidden = [m.visible_at - now for m in self._messages.values()]
            self._changed.wait(max(0.0, min([timeout, *hidden])))

    def wake(self) -> None:
        """Wake every waiter (a stopping runner)."""
        with self._changed:
            self._changed.notify_all()

    def _owned(self, message: ReceivedMessage) -> _Stored:
        stored = self._messages.get(message.id)
        if stored is None or stored.pop_receipt != message.pop_receipt:
            raise MessageGone(f"message {message.id} is gone or was received again since")
        return stored

    def _received(self, stored: _Stored) -> ReceivedMessage:
        assert stored.pop_receipt is not None
        return ReceivedMessage(
            id=stored.id,
            pop_receipt=stored.pop_receipt,
            dequeue_count=stored.dequeue_count,
            body=stored.body,
            inserted_at=stored.inserted_at,
        )


_registry: dict[str, InMemoryQueue] = {}
_registry_lock = threading.Lock()


def memory_queue(name: str) -> InMemoryQueue:
    """The process-wide in-memory queue of that name (created on first use)."""
    with _registry_lock:
        queue = _registry.get(name)
        if queue is None:
            queue = _registry[name] = InMemoryQueue(name)
        return queue


def reset_memory_queues() -> None:
    """Forget every in-memory queue (tests)."""
    with _registry_lock:
        _registry.clear()
