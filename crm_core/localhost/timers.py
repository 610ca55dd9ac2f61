"""The timer side of the local host: fire each timer trigger on its NCRONTAB schedule (UTC, as in Azure)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from azure.functions.timer import TimerRequest

from crm_core.localhost.index import TimerFunction
from crm_core.localhost.invoke import call_function
from crm_core.localhost.schedule import Schedule

log = logging.getLogger("crm_core.localhost.timer")

PAST_DUE_AFTER = timedelta(seconds=5)


def utc_now() -> datetime:
    """The current moment in UTC."""
    return datetime.now(UTC)


class TimerRunner:
    """Fires one timer function: on start when run_on_startup, then at each occurrence of its schedule."""

    def __init__(self, function: TimerFunction, schedule: Schedule, *, now: Callable[[], datetime] = utc_now) -> None:
        self.function = function
        self.schedule = schedule
        self._now = now
        self.fired = 0
        self.next_due: datetime | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start firing in the background."""
        self._thread = threading.Thread(target=self._loop, name=f"timer-{self.function.name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop; a running invocation is waited for."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def begin(self) -> None:
        """Plan the first occurrence (and fire at once when run_on_startup)."""
        if self.function.run_on_startup:
            self.fire(past_due=False)
        self.next_due = self.schedule.next_after(self._now())

    def tick(self) -> bool:
        """Fire when the next occurrence has come; return whether it fired."""
        if self.next_due is None:
            self.begin()
        assert self.next_due is not None
        now = self._now()
        if now < self.next_due:
            return False
        self.fire(past_due=now - self.next_due > PAST_DUE_AFTER)
        self.next_due = self.schedule.next_after(max(self._now(), self.next_due))
        return True

    def fire(self, *, past_due: bool) -> None:
        """Invoke the function once with a TimerRequest; an exception is logged, never raised."""
        started = time.perf_counter()
        request = TimerRequest(past_due=past_due, schedule={"AdjustForDST": True})
        try:
            call_function(self.function.fn, self.function.arg_name, request)
        except Exception as exc:
            log.exception("timer %s failed: %s", self.function.name, exc)
            outcome = "failed"
        else:
            outcome = "ok"
        self.fired += 1
        log.info(
            "timer %s %s%s %.1fms",
            self.function.name,
            outcome,
            " (past due)" if past_due else "",
            (time.perf_counter() - started) * 1000,
        )

    def _loop(self) -> None:
        self.begin()
        while not self._stop.is_set():
            assert self.next_due is not None
            wait = (self.next_due - self._now()).total_seconds()
            if wait > 0:
                self._stop.wait(min(wait, 60.0))
                continue
            self.tick()
