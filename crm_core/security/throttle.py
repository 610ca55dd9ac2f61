"""Login throttling: a small, growing delay after each failed attempt (before the identity's lock takes over).

The delay is slept after the failure is committed, outside any transaction and outside the hash gate.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


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


throttle = LoginThrottle()
