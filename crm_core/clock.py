"""The clock port: the system clock in production, a settable one in tests and `sweep --now`."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current time (aware, UTC)."""

    def now(self) -> datetime:
        """The current moment, aware, in UTC."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """The current moment, aware, in UTC."""
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved (tests, simulated days, `sweep --now`)."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        """The set moment."""
        return self._at

    def set(self, at: datetime) -> None:
        """Move to a given moment."""
        self._at = at.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        """Move forward by delta."""
        self._at += delta


_receive_seq_lock = threading.Lock()
_last_receive_seq = 0


def next_receive_seq() -> int:
    """A receive stamp: nanoseconds since the epoch, strictly increasing within this process.

    The webhook stamps each envelope with one as it arrives, so two messages of a sender with the same whole-second
    provider timestamp are applied in the order they reached us (not in the order workers happened to record them).
    Across processes and instances the stamps follow the wall clock.
    """
    global _last_receive_seq
    with _receive_seq_lock:
        _last_receive_seq = max(time.time_ns(), _last_receive_seq + 1)
        return _last_receive_seq
