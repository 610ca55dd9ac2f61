"""What every queue adapter offers the local host: send, receive with a visibility timeout, delete, release."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class MessageGone(Exception):
    """The message was deleted, or its pop receipt is stale (someone else received it since)."""


@dataclass(frozen=True)
class ReceivedMessage:
    """One received message: delete or release it with its pop receipt."""

    id: str
    pop_receipt: str
    dequeue_count: int
    body: str
    inserted_at: datetime | None = None
    expires_at: datetime | None = None
    next_visible_at: datetime | None = None


class MessageQueue(Protocol):
    """A named queue with Azure Storage Queue semantics (at-least-once, visibility timeouts, dequeue counts)."""

    name: str

    def send(self, body: str, *, delay_seconds: int = 0) -> None:
        """Enqueue one message body; visible after delay_seconds."""
        ...

    def receive(self, max_messages: int = 1, visibility_timeout: float = 30.0) -> list[ReceivedMessage]:
        """Take up to max_messages visible messages, hiding them for visibility_timeout seconds."""
        ...

    def delete(self, message: ReceivedMessage) -> None:
        """Remove a received message (MessageGone when its pop receipt is stale)."""
        ...

    def release(self, message: ReceivedMessage, visibility_timeout: float = 0.0) -> ReceivedMessage:
        """Make a received message visible again after visibility_timeout seconds; the new receipt is returned."""
        ...

    def count(self) -> int:
        """How many messages the queue holds, visible or not (approximate on Azure)."""
        ...

    def peek(self, max_messages: int = 32) -> list[str]:
        """The bodies of up to max_messages visible messages, without receiving them."""
        ...
