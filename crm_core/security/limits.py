"""Load limits for password checks: token buckets per client and for the instance, and a bound on Argon2 at once.

Argon2id is deliberately expensive (memory and CPU). Without limits, anyone can make the instance spend its cores
on hashes. Every password check (login, change of one's own password) first takes a token from its client's
bucket and from the instance's bucket, then a slot of the hash gate; when any of them is empty the caller gets
`429` with `Retry-After` at once, before any database access or hashing.

The state is per process (each Functions instance has its own buckets). Account lockout, which must hold across
instances, is in the database (crm_core.security.lockout).
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


class Limited(Exception):
    """Over a limit: `retry_after` seconds (a whole number, at least 1) and a stable `code`."""

    def __init__(self, code: str, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = max(1, math.ceil(retry_after))


@dataclass
class TokenBucket:
    """`capacity` tokens, refilled continuously at `rate` tokens per second."""

    capacity: float
    rate: float
    tokens: float = -1.0
    stamp: float = 0.0

    def take(self, now: float) -> float:
        """Take a token: 0.0 when one was there, else the seconds until one will be."""
        if self.tokens < 0:
            self.tokens, self.stamp = self.capacity, now
        self.tokens = min(self.capacity, self.tokens + max(0.0, now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate if self.rate > 0 else 60.0


@dataclass
class RateLimiter:
    """Per-client buckets (the least recently seen forgotten beyond `max_clients`) and one global bucket."""

    per_client_per_minute: int
    global_per_minute: int
    max_clients: int = 10_000
    clock: Callable[[], float] = time.monotonic
    _clients: OrderedDict[str, TokenBucket] = field(default_factory=OrderedDict)
    _global: TokenBucket | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def admit(self, client: str) -> None:
        """Take a token for this client and one for the instance, or raise Limited (taking neither)."""
        with self._lock:
            now = self.clock()
            bucket = self._clients.get(client)
            if bucket is None:
                bucket = self._clients[client] = _per_minute(self.per_client_per_minute)
                while len(self._clients) > self.max_clients:
                    self._clients.popitem(last=False)
            self._clients.move_to_end(client)
            wait = bucket.take(now)
            if wait > 0:
                raise Limited("rate_limited", "too many login attempts from this address; try again later", wait)
            if self._global is None:
                self._global = _per_minute(self.global_per_minute)
            wait = self._global.take(now)
            if wait > 0:
                bucket.tokens = min(bucket.capacity, bucket.tokens + 1.0)  # not this client's fault
                raise Limited("rate_limited", "the server is receiving too many login attempts; try again later", wait)


def _per_minute(per_minute: int) -> TokenBucket:
    return TokenBucket(capacity=float(per_minute), rate=per_minute / 60.0)


@dataclass
class HashGate:
    """At most `slots` password hashes at once in this process; a caller waits up to `wait` seconds for a slot."""

    slots: int
    wait: float = 0.1
    _semaphore: threading.BoundedSemaphore = field(init=False)
    _busy: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._semaphore = threading.BoundedSemaphore(self.slots)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold a slot while hashing, or raise Limited when all are taken."""
        if not self._semaphore.acquire(timeout=self.wait):
            raise Limited("busy", "the server is busy checking passwords; try again in a moment", 1)
        with self._lock:
            self._busy += 1
        try:
            yield
        finally:
            with self._lock:
                self._busy -= 1
            self._semaphore.release()

    @property
    def busy(self) -> int:
        """Slots in use now."""
        with self._lock:
            return self._busy


@dataclass
class LoginGuard:
    """What every password check goes through: the rate limiter, then the hash gate."""

    limiter: RateLimiter
    gate: HashGate


def client_address(headers: object, fallback: str = "unknown") -> str:
    """The caller's IP: X-Forwarded-For's first hop (the front end's view of the client), else `fallback`.

    Ports (`1.2.3.4:5678`, `[::1]:5678`) are dropped; a value that is not an IP address counts as one client
    named by its text (cut to 64 characters), so garbage still lands in a bucket.
    """
    get = getattr(headers, "get", None)
    forwarded = str(get("X-Forwarded-For") or "") if get else ""
    first = forwarded.split(",")[0].strip()
    if not first:
        return fallback
    return _ip_text(first)


def _ip_text(text: str) -> str:
    candidates = [text]
    if text.startswith("[") and "]" in text:
        candidates.insert(0, text[1 : text.index("]")])
    elif text.count(":") == 1:
        candidates.insert(0, text.split(":")[0])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return text[:64]
