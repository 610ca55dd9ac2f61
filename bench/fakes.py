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


class DelayQueue:
    """An inbound queue the bench's workers consume: bodies sent with a delay become visible after it."""

    def __init__(self) -> None:
        import queue

        self.ready: queue.Queue[str] = queue.Queue()
        self.delayed = 0
        self._timers: list[threading.Timer] = []
        self._lock = threading.Lock()

    def send(self, body: str, *, delay_seconds: int = 0) -> None:
        """Make the body visible now, or after delay_seconds (a deferred message)."""
        if delay_seconds <= 0:
            self.ready.put(body)
            return
        timer = threading.Timer(delay_seconds, self.ready.put, (body,))
        timer.daemon = True
        with self._lock:
            self.delayed += 1
            self._timers.append(timer)
        timer.start()

    def close(self) -> None:
        """Cancel what is still delayed."""
        with self._lock:
            for timer in self._timers:
                timer.cancel()


class StandInModel:
    """The app's parser with a stand-in model: the texts in `slow` need the model, which takes `seconds`.

    Like the hybrid parser it has a quick part (`parse_quick`: None for a slow text) and `parse`; `calls` counts
    the stand-in model's calls, so a message paid for twice shows.
    """

    def __init__(self, inner: Any, slow: set[str], seconds: float) -> None:
        self.inner = inner  # a HybridParser without a model
        self.slow = slow
        self.seconds = seconds
        self.calls = 0
        self._lock = threading.Lock()

    def parse_quick(self, text: str, ctx: Any) -> Any:
        """The rules' answer, except for the texts that need the model."""
        return None if text in self.slow else self.inner.parse_quick(text, ctx)

    def parse(self, text: str, ctx: Any) -> Any:
        """For a slow text: wait like a GPT-4o round trip, then answer as the rules do (source "gpt")."""
        if text not in self.slow:
            return self.inner.parse(text, ctx)
        with self._lock:
            self.calls += 1
        time.sleep(self.seconds)
        return self.inner.rules.parse(text, ctx).model_copy(update={"source": "gpt", "confidence": 0.85})
