"""Test doubles for the bench: a channel that counts what it sends, a slow GPT stand-in, a list queue."""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any


class CountingChannel:
    """A WhatsApp channel that counts messages per recipient (keeps no texts, so memory stays flat)."""

    def __init__(self) -> None:
        self.per_recipient: Counter[str] = Counter()
        self.total = 0
        self._lock = threading.Lock()

    def send(self, message: Any) -> Any:
        """Count the message and answer like a provider."""
        from crm_core.ports import SendResult

        with self._lock:
            self.per_recipient[message.to] += 1
            self.total += 1
            n = self.total
        return SendResult(provider_message_id=f"bench-{n}")


class ListQueue:
    """An inbound queue that keeps bodies in a list (enqueue cost only, nothing consumes them)."""

    def __init__(self) -> None:
        self.bodies: list[str] = []
        self._lock = threading.Lock()

    def send(self, body: str, *, delay_seconds: int = 0) -> None:
        """Keep the body."""
        with self._lock:
            self.bodies.append(body)


class SlowGpt:
    """The seed design's GPT call, stood in for: wait `seconds`, then answer with the rules parser's result."""

    def __init__(self, inner: Any, seconds: float) -> None:
        self.inner = inner
        self.seconds = seconds
        self.calls = 0

    def parse(self, text: str, ctx: Any) -> Any:
        """Sleep like a network round trip to GPT-4o, then parse."""
        self.calls += 1
        time.sleep(self.seconds)
        result = self.inner.parse(text, ctx)
        return result.model_copy(update={"source": "gpt"})
