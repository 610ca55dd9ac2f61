"""The queue side of the local host: poll a queue, run its trigger function, retry, then poison, as the host does.

A message is received with a processing lease; success deletes it; a failure makes it visible again after
`visibilityTimeout`; the attempt that reaches `maxDequeueCount` moves it to `<queue>-poison` (where the poison
trigger, if any, picks it up). Up to batchSize + newBatchThreshold messages run at once.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from azure.functions.queue import QueueMessage

from crm_core.localhost.config import QueueOptions
from crm_core.localhost.index import QueueFunction
from crm_core.localhost.invoke import call_function
from crm_core.queueing.base import MessageGone, MessageQueue, ReceivedMessage

log = logging.getLogger("crm_core.localhost.queue")

LEASE_SECONDS = 600.0  # a crashed host's message reappears after 10 minutes, as with the real host


class QueueRunner:
    """Runs one queue trigger on one queue in background threads."""

    def __init__(
        self,
        function: QueueFunction,
        queue: MessageQueue,
        poison: MessageQueue,
        options: QueueOptions,
        *,
        min_polling_interval: float = 0.1,
    ) -> None:
        self.function = function
        self.queue = queue
        self.poison = poison
        self.options = options
        self.min_polling_interval = min_polling_interval
        self.processed = 0
        self.failed = 0
        self.poisoned = 0
        self._stop = threading.Event()
        self._slots = threading.BoundedSemaphore(options.concurrency)
        self._inflight = 0
        self._lock = threading.Condition()
        self._pool: ThreadPoolExecutor | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start polling in the background."""
        self._pool = ThreadPoolExecutor(self.options.concurrency, thread_name_prefix=f"queue-{self.function.name}")
        self._thread = threading.Thread(target=self._loop, name=f"queue-poll-{self.function.name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop polling and wait for running invocations to finish."""
        self._stop.set()
        wake = getattr(self.queue, "wake", None)
        if callable(wake):
            wake()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    def _idle_wait(self, seconds: float) -> None:
        wait = getattr(self.queue, "wait", None)
        if callable(wait):
            wait(seconds)
        else:
            self._stop.wait(seconds)

    def _loop(self) -> None:
        idle = self.min_polling_interval
        while not self._stop.is_set():
            free = self._take_slots()
            if not free:
                continue
            try:
                messages = self.queue.receive(min(free, self.options.batch_size, 32), LEASE_SECONDS)
            except Exception as exc:
                self._give_back(free)
                log.warning("queue %s: receive failed (%s); retrying", self.queue.name, exc)
                self._stop.wait(min(idle, self.options.max_polling_interval))
                idle = min(idle * 2, self.options.max_polling_interval)
                continue
            self._give_back(free - len(messages))
            if not messages:
                self._idle_wait(idle)
                idle = min(idle * 2, self.options.max_polling_interval)
                continue
            idle = self.min_polling_interval
            for message in messages:
                with self._lock:
                    self._inflight += 1
                assert self._pool is not None
                self._pool.submit(self._run, message)

    def _take_slots(self) -> int:
        if not self._slots.acquire(timeout=0.5):
            return 0
        taken = 1
        while taken < self.options.batch_size and self._slots.acquire(blocking=False):
            taken += 1
        return taken

    def _give_back(self, n: int) -> None:
        for _ in range(n):
            self._slots.release()

    def _run(self, message: ReceivedMessage) -> None:
        try:
            self.handle(message)
        except Exception:
            log.exception(
                "%s id=%s: could not settle the message; it reappears when its lease ends",
                self.function.name,
                message.id,
            )
        finally:
            with self._lock:
                self._inflight -= 1
                self._lock.notify_all()
            self._slots.release()

    def handle(self, message: ReceivedMessage) -> str:
        """Process one received message to its outcome: `ok`, `retry` or `poison`."""
        name, started = self.function.name, time.perf_counter()
        if message.dequeue_count > self.options.max_dequeue_count:
            self._to_poison(message)
            log.warning(
                "%s id=%s dequeue=%s moved to %s unprocessed (over maxDequeueCount)",
                name,
                message.id,
                message.dequeue_count,
                self.poison.name,
            )
            return "poison"
        msg = QueueMessage(
            id=message.id,
            body=message.body.encode("utf-8"),
            dequeue_count=message.dequeue_count,
            expiration_time=message.expires_at,
            insertion_time=message.inserted_at,
            time_next_visible=message.next_visible_at,
            pop_receipt=message.pop_receipt,
        )
        try:
            call_function(self.function.fn, self.function.arg_name, msg)
        except Exception as exc:
            ms = (time.perf_counter() - started) * 1000
            self.failed += 1
            if message.dequeue_count >= self.options.max_dequeue_count:
                self._to_poison(message)
                log.error(
                    "%s id=%s dequeue=%s failed, moved to %s (%.1fms): %s: %s",
                    name,
                    message.id,
                    message.dequeue_count,
                    self.poison.name,
                    ms,
                    type(exc).__name__,
                    exc,
                    exc_info=exc,
                )
                return "poison"
            self._release(message)
            log.warning(
                "%s id=%s dequeue=%s failed, retry in %gs (%.1fms): %s: %s",
                name,
                message.id,
                message.dequeue_count,
                self.options.visibility_timeout,
                ms,
                type(exc).__name__,
                exc,
                exc_info=exc,
            )
            return "retry"
        try:
            self.queue.delete(message)
        except MessageGone:
            log.warning("%s id=%s: the message was already gone when deleting it", name, message.id)
        self.processed += 1
        log.info(
            "%s id=%s dequeue=%s ok %.1fms",
            name,
            message.id,
            message.dequeue_count,
            (time.perf_counter() - started) * 1000,
        )
        return "ok"

    def _release(self, message: ReceivedMessage) -> None:
        try:
            self.queue.release(message, self.options.visibility_timeout)
        except MessageGone:
            log.warning("%s id=%s: the message was gone when releasing it", self.function.name, message.id)
        except Exception:
            log.exception(
                "%s id=%s: could not release; it reappears when its lease ends", self.function.name, message.id
            )

    def _to_poison(self, message: ReceivedMessage) -> None:
        """Copy to the poison queue first, then delete: a crash in between duplicates, never loses."""
        self.poison.send(message.body)
        self.poisoned += 1
        try:
            self.queue.delete(message)
        except MessageGone:
            log.warning(
                "%s id=%s: already gone after copying it to %s", self.function.name, message.id, self.poison.name
            )

    def idle(self) -> bool:
        """Whether the queue is empty and nothing is running."""
        with self._lock:
            if self._inflight:
                return False
        return self.queue.count() == 0

    def drain(self, timeout: float = 30.0) -> bool:
        """Wait until the queue is empty and nothing is running; False when timeout passes first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.idle():
                return True
            with self._lock:
                self._lock.wait(0.02)
        return self.idle()
