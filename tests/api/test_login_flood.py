"""A login flood must not stall the bot: no database lock is held while a password is hashed, Argon2 runs in a
bounded number of slots, and callers beyond the limits get 429 with Retry-After — never 500 or 503.

On SQLite every transaction takes the single write lock (BEGIN IMMEDIATE), so a hash inside a transaction stops
every WhatsApp message for as long as it runs. The tests use a hasher stand-in that either parks inside the hash
until released (to show a message is processed *while* hashes are in flight) or notes, for every hash, whether
the hashing thread had a database transaction open (to count, not time, the offending hashes).
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from argon2 import PasswordHasher
from sqlalchemy import event, select

from crm_core.composition import Container, set_container
from crm_core.db.models import InboundMessage
from crm_core.security import passwords
from tests.api.client import ApiClient, private_app
from tests.api.conftest import PASSWORD_M1A, SEEDED_PASSWORD, RecordingQueue, seed_world
from tests.pipeline.support import envelope

M1A_PHONE = "+919800000004"


class GatedHasher:
    """Argon2 (cheap parameters) that parks in every hash/verify until `release` is set; `inside` counts them."""

    def __init__(self) -> None:
        self.real = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
        self.entered = threading.Semaphore(0)
        self.release = threading.Event()
        self.inside = 0
        self._lock = threading.Lock()

    def _park(self) -> None:
        with self._lock:
            self.inside += 1
        self.entered.release()
        assert self.release.wait(30), "the test never released the hash"
        with self._lock:
            self.inside -= 1

    def hash(self, password: str) -> str:
        self._park()
        return self.real.hash(password)

    def verify(self, stored: str, password: str) -> bool:
        self._park()
        return self.real.verify(stored, password)


@dataclass
class TransactionWatch:
    """Which threads hold an open database transaction right now (engine begin/commit/rollback events)."""

    open_by_thread: Counter[int] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def attach(self, engine: Any) -> Callable[[], None]:
        def began(conn: Any) -> None:
            with self.lock:
                self.open_by_thread[threading.get_ident()] += 1

        def ended(conn: Any) -> None:
            with self.lock:
                self.open_by_thread[threading.get_ident()] -= 1

        event.listen(engine, "begin", began)
        event.listen(engine, "commit", ended)
        event.listen(engine, "rollback", ended)

        def detach() -> None:
            event.remove(engine, "begin", began)
            event.remove(engine, "commit", ended)
            event.remove(engine, "rollback", ended)

        return detach

    def in_transaction(self) -> bool:
        with self.lock:
            return self.open_by_thread[threading.get_ident()] > 0


class CountingHasher:
    """Argon2 (cheap parameters) plus a short stand-in delay; counts hashes, those run inside a transaction, and
    the most run at once."""

    def __init__(self, watch: TransactionWatch, delay: float = 0.02) -> None:
        self.real = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
        self.watch = watch
        self.delay = delay
        self.hashes = 0
        self.in_transaction = 0
        self.running = 0
        self.most_at_once = 0
        self._lock = threading.Lock()
        self._pause = threading.Event()

    def _work(self, fn: Callable[[], Any]) -> Any:
        inside = self.watch.in_transaction()
        with self._lock:
            self.hashes += 1
            self.in_transaction += int(inside)
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        try:
            self._pause.wait(self.delay)  # the stand-in for Argon2's real cost
            return fn()
        finally:
            with self._lock:
                self.running -= 1

    def hash(self, password: str) -> str:
        return self._work(lambda: self.real.hash(password))

    def verify(self, stored: str, password: str) -> bool:
        return self._work(lambda: self.real.verify(stored, password))


def _container(settings, db, clock, fake_channel, **overrides: Any) -> Container:
    s = settings.model_copy(update=overrides) if overrides else settings
    c = Container(s, database=db, clock=clock, whatsapp=fake_channel, queue=RecordingQueue())
    set_container(c)
    return c


def _status_of(db, message_id: str) -> str | None:
    with db.transaction() as s:
        return s.scalar(select(InboundMessage.status).where(InboundMessage.provider_message_id == message_id))


# Operations that check or hash a password, each as (name, call(client, world)).
def _login_ok(client: ApiClient, w) -> Any:
    return client.post("/api/login", json_body={"username": "m1a", "password": PASSWORD_M1A})


def _login_unknown(client: ApiClient, w) -> Any:
    return client.post("/api/login", json_body={"username": "ghost", "password": "whatever1"})


def _login_wrong(client: ApiClient, w) -> Any:
    return client.post("/api/login", json_body={"phone": "98000 00004", "password": "wrong password"})


def _own_password(client: ApiClient, w) -> Any:
    body = {"current_password": SEEDED_PASSWORD, "new_password": "a brand new password"}
    return client.post("/api/users/me/password", json_body=body, token=w.token("leader1"))


def _admin_password(client: ApiClient, w) -> Any:
    url = f"/api/users/{w.users['m1b'].id}/password"
    return client.post(url, json_body={"password": "set by the admin"}, token=w.token("admin"))


def _register(client: ApiClient, w) -> Any:
    body = {"username": "newbie", "name": "New Bie", "phone": "98765 43210", "password": "newbie password"}
    return client.post("/api/register", json_body=body, token=w.token("admin"))


OPERATIONS = {
    "login_ok": (_login_ok, {200}),
    "login_unknown": (_login_unknown, {401}),
    "login_wrong": (_login_wrong, {401}),
    "own_password": (_own_password, {200}),
    "admin_password": (_admin_password, {200}),
    "register": (_register, {201}),
}


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_a_whatsapp_message_is_processed_while_passwords_are_being_hashed(
    operation, settings, db, clock, fake_channel, monkeypatch
):
    """Park hashes of the operation in both slots; a WhatsApp message from a user must still be applied and
    answered before any of them is released (a hash inside a transaction would hold the write lock)."""
    from crm_core.pipeline.process import process_queue_message

    c = _container(settings, db, clock, fake_channel, login_max_concurrent_hashes=2)
    w = seed_world(c, passwords=True)  # hashes here run before the stand-in is installed
    gated = GatedHasher()
    monkeypatch.setattr(passwords, "_hasher", lambda: gated)
    client = ApiClient()
    call, expected = OPERATIONS[operation]
    answers: dict[int, Any] = {}  # by caller: they may finish in either order
    callers = [threading.Thread(target=lambda: answers.__setitem__(0, call(client, w)), daemon=True)]
    if operation.startswith("login"):  # a second concurrent check, from another client, fills the other slot
        callers.append(threading.Thread(target=lambda: answers.__setitem__(1, _login_unknown(client, w)), daemon=True))
    try:
        for t in callers:
            t.start()
        assert gated.entered.acquire(timeout=10), "the password check never started"
        for _ in callers[1:]:  # (with a lock held during the first hash, the second could not even start)
            gated.entered.acquire(timeout=2)

        done = threading.Event()
        failure: list[BaseException] = []

        def whatsapp() -> None:
            try:
                process_queue_message(envelope("help", "wa-during-hash", clock.now(), sender=M1A_PHONE))
            except BaseException as exc:  # reported below
                failure.append(exc)
            finally:
                done.set()

        worker = threading.Thread(target=whatsapp, daemon=True)
        worker.start()
        # A deadline, not a measurement: with a lock held the message cannot finish until the hash is released.
        processed_while_hashing = done.wait(10)
        still_hashing = gated.inside
    finally:
        gated.release.set()
        for t in callers:
            t.join(30)
    worker.join(30)
    assert processed_while_hashing and still_hashing >= 1, "the message waited for a password hash"
    assert not failure, failure
    assert _status_of(db, "wa-during-hash") == "done"
    assert fake_channel.sent[M1A_PHONE], "the bot answered the WhatsApp message"
    assert answers[0].status in expected, answers[0].body


def test_a_login_flood_gets_429s_never_5xx_and_never_hashes_inside_a_transaction(
    settings, db, clock, fake_channel, monkeypatch
):
    """16 clients loop on /api/login over real HTTP while WhatsApp messages are processed: every answer is
    200/401/429 (each 429 with Retry-After), at most LOGIN_MAX_CONCURRENT_HASHES hashes run at once, none inside a
    transaction, and every message is applied."""
    from crm_core.localhost import LocalHost
    from crm_core.pipeline.process import process_queue_message

    c = _container(
        settings,
        db,
        clock,
        fake_channel,
        login_max_concurrent_hashes=2,
        login_rate_per_client=5,
        login_rate_global=60,
        login_max_failures=1000,  # this test is about load, not lockout
    )
    seed_world(c, passwords=True)
    watch = TransactionWatch()
    detach = watch.attach(db.engine)
    hasher = CountingHasher(watch)
    monkeypatch.setattr(passwords, "_hasher", lambda: hasher)
    host = LocalHost(private_app(), host="127.0.0.1", port=0, container=c, queues=False, timers=False)
    base = host.start()
    statuses: Counter[int] = Counter()
    missing_retry_after = 0
    lock = threading.Lock()
    bodies = [
        {"username": "m1a", "password": PASSWORD_M1A},
        {"username": "M1A", "password": "wrong password"},
        {"phone": "98000 00004", "password": "wrong password"},
        {"username": "ghost", "password": "wrong password"},
    ]

    def flood(n: int) -> None:
        nonlocal missing_retry_after
        session = requests.Session()
        address = f"203.0.113.{n % 8}"  # 16 clients behind 8 addresses
        for i in range(12):
            r = session.post(
                f"{base}/api/login", json=bodies[(n + i) % 4], headers={"X-Forwarded-For": address}, timeout=60
            )
            with lock:
                statuses[r.status_code] += 1
                if r.status_code == 429 and not r.headers.get("Retry-After", "").isdigit():
                    missing_retry_after += 1
        session.close()

    threads = [threading.Thread(target=flood, args=(n,), daemon=True) for n in range(16)]
    try:
        for t in threads:
            t.start()
        ids = [f"wa-flood-{uuid.uuid4().hex[:8]}" for _ in range(5)]
        for message_id in ids:
            process_queue_message(envelope("help", message_id, clock.now(), sender=M1A_PHONE))
        for t in threads:
            t.join(120)
    finally:
        host.stop()
        detach()
    assert sum(statuses.values()) == 16 * 12
    assert set(statuses) <= {200, 401, 429}, statuses
    assert statuses[429] > 0 and statuses[200] > 0, statuses
    assert missing_retry_after == 0
    assert hasher.hashes > 0 and hasher.in_transaction == 0, (hasher.hashes, hasher.in_transaction)
    assert hasher.most_at_once <= 2
    assert [_status_of(db, m) for m in ids] == ["done"] * len(ids)
