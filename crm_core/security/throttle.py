"""Login throttling: a small, growing delay after each failed attempt (before the account lock takes over)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class LoginThrottle:
    """Delay policy for failed logins; `sleep` and `base_delay` are replaceable (tests make them instant)."""

    base_delay: float = 0.2
    max_delay: float = 2.0
    sleep: Callable[[float], None] = time.sleep

    def delay_for(self, failures: int) -> float:
        """Seconds to wait after the n-th consecutive failure: doubling from base_delay, capped."""
        if failures <= 0 or self.base_delay <= 0:
            return 0.0
        return float(min(self.base_delay * (2 ** min(failures - 1, 16)), self.max_delay))

    def pause(self, failures: int) -> None:
        """Wait after a failure."""
        delay = self.delay_for(failures)
        if delay > 0:
            self.sleep(delay)


@dataclass
class UnknownNameFailures:
    """Failure counts for login names that match no user, so they lock exactly like real accounts do."""

    capacity: int = 10_000
    _entries: OrderedDict[str, tuple[int, datetime | None]] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, name: str) -> tuple[int, datetime | None]:
        """(failures, locked_until) for a name."""
        with self._lock:
            return self._entries.get(name, (0, None))

    def put(self, name: str, failures: int, locked_until: datetime | None) -> None:
        """Remember a name's state, dropping the oldest names beyond capacity."""
        with self._lock:
            self._entries[name] = (failures, locked_until)
            self._entries.move_to_end(name)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget everything (tests)."""
        with self._lock:
            self._entries.clear()


throttle = LoginThrottle()
unknown_names = UnknownNameFailures()
