"""The embedded default queue (a table of the app's database) keeps Azure Storage Queue semantics — leases,
dequeue counts, pop receipts, delays — on SQLite and PostgreSQL, and what was sent is on disk, not in memory."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crm_core.db.session import Database
from crm_core.queueing import MessageGone, build_inbound_queue, open_queue
from crm_core.queueing.database import DatabaseQueue, database_queue, queue_engine, reset_database_queues
from crm_core.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]


class Clock:
    def __init__(self) -> None:
        self.t = datetime(2026, 11, 24, 4, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request) -> Database:
    return request.getfixturevalue("db" if request.param == "sqlite" else "pg_db")


@pytest.fixture
def q(database: Database, clock: Clock) -> DatabaseQueue:
    return DatabaseQueue(database.engine, "inbound", now=clock)


@pytest.fixture(autouse=True)
def _fresh_registry() -> Iterator[None]:
    reset_database_queues()
    yield
    reset_database_queues()


def test_a_received_message_carries_body_id_receipt_and_first_dequeue(q: DatabaseQueue) -> None:
    q.send("नमस्ते, new lead \U0001f600")
    [m] = q.receive(max_messages=5, visibility_timeout=30)
    assert m.body == "नमस्ते, new lead \U0001f600"
    assert m.dequeue_count == 1
    assert m.id and m.pop_receipt


def test_a_leased_message_is_invisible_until_its_visibility_timeout_ends(q: DatabaseQueue, clock: Clock) -> None:
    q.send("a")
    [first] = q.receive(visibility_timeout=30)
    assert q.receive() == []
    assert q.count() == 1
    clock.advance(29.9)
    assert q.receive() == []
    clock.advance(0.2)
    [again] = q.receive(visibility_timeout=30)
    assert again.id == first.id and again.dequeue_count == 2
    assert again.pop_receipt != first.pop_receipt


def test_a_stale_pop_receipt_cannot_delete_or_release(q: DatabaseQueue, clock: Clock) -> None:
    q.send("a")
    [first] = q.receive(visibility_timeout=1)
    clock.advance(2)
    [second] = q.receive(visibility_timeout=30)
    with pytest.raises(MessageGone):
        q.delete(first)
    with pytest.raises(MessageGone):
        q.release(first)
    q.delete(second)
    assert q.count() == 0
    with pytest.raises(MessageGone):
        q.delete(second)


def test_a_delayed_message_appears_only_after_its_delay(q: DatabaseQueue, clock: Clock) -> None:
    q.send("later", delay_seconds=5)
    q.send("now")
    assert [m.body for m in q.receive(max_messages=10)] == ["now"]
    assert q.peek() == []
    clock.advance(5)
    assert [m.body for m in q.receive(max_messages=10)] == ["later"]


def test_release_makes_a_message_visible_again_after_the_given_delay(q: DatabaseQueue, clock: Clock) -> None:
    q.send("a")
    [m] = q.receive(visibility_timeout=600)
    released = q.release(m, visibility_timeout=3)
    assert q.receive() == []
    clock.advance(3)
    [again] = q.receive()
    assert again.dequeue_count == 2
    with pytest.raises(MessageGone):
        q.release(released)  # received again since: the old receipt is stale


def test_receive_takes_the_oldest_first_and_at_most_max_messages(q: DatabaseQueue) -> None:
    for i in range(5):
        q.send(str(i))
    assert [m.body for m in q.receive(max_messages=3)] == ["0", "1", "2"]
    assert [m.body for m in q.receive(max_messages=3)] == ["3", "4"]


def test_queues_of_one_database_are_separate(database: Database, clock: Clock) -> None:
    inbound = DatabaseQueue(database.engine, "inbound", now=clock)
    poison = DatabaseQueue(database.engine, "inbound-poison", now=clock)
    inbound.send("a")
    poison.send("b")
    assert [m.body for m in poison.receive(max_messages=5)] == ["b"]
    assert (inbound.count(), inbound.peek()) == (1, ["a"])


def test_release_leases_gives_back_what_a_dead_host_held_and_leaves_delays_alone(q: DatabaseQueue) -> None:
    q.send("held by a host that was killed")
    q.send("deferred by the ordering window", delay_seconds=2)
    [held] = q.receive(visibility_timeout=600)
    assert q.release_leases() == 1
    [again] = q.receive(max_messages=5)
    assert again.body == held.body and again.dequeue_count == 2
    with pytest.raises(MessageGone):
        q.delete(held)


def test_bad_arguments_are_refused(q: DatabaseQueue) -> None:
    with pytest.raises(ValueError):
        q.send("a", delay_seconds=-1)
    with pytest.raises(TypeError):
        q.send(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        q.receive(max_messages=0)


def test_concurrent_consumers_each_get_every_message_exactly_once(database: Database) -> None:
    q = DatabaseQueue(database.engine, "many")
    for i in range(300):
        q.send(str(i))
    seen: Counter[str] = Counter()
    lock = threading.Lock()

    def consume() -> None:
        while batch := q.receive(max_messages=7, visibility_timeout=600):
            for m in batch:
                with lock:
                    seen[m.body] += 1
                q.delete(m)

    threads = [threading.Thread(target=consume) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 300 and set(seen.values()) == {1}
    assert q.count() == 0


def test_wait_returns_when_a_message_arrives_from_another_thread(db: Database) -> None:
    url = str(db.engine.url)
    waiting = database_queue(url, "waiting")
    done = threading.Event()

    def waiter() -> None:
        waiting.wait(60)
        done.set()

    t = threading.Thread(target=waiter)
    t.start()
    database_queue(url, "waiting").send("hello")  # another object for the same queue: the same wake-up signal
    t.join(30)
    assert done.is_set()
    assert waiting.receive()[0].body == "hello"


def test_a_sent_message_is_in_the_file_for_another_process(db: Database, settings) -> None:
    # What the webhook does before answering 200 is visible to a process that never shared memory with it.
    build_inbound_queue(settings.model_copy(update={"queue_backend": "database"})).send('{"acknowledged": true}')
    code = (
        "import sys; from crm_core.queueing.database import database_queue; "
        "q = database_queue(sys.argv[1], 'inbound'); print(q.receive()[0].body)"
    )
    seen = subprocess.run(
        [sys.executable, "-c", code, settings.database_url],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert seen.returncode == 0, seen.stderr
    assert seen.stdout.strip() == '{"acknowledged": true}'


def test_sqlite_queue_commits_are_fully_synced(db: Database, settings) -> None:
    engine = queue_engine(settings.database_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL: the WAL is on disk at commit
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_the_default_backend_is_the_durable_database_queue(tmp_path) -> None:
    settings = load_settings(DATABASE_URL=f"sqlite:///{tmp_path / 'crm.db'}")
    assert settings.queue_kind == "database" and not settings.use_azure_queue
    assert isinstance(open_queue(settings, "inbound"), DatabaseQueue)
    assert load_settings(DATABASE_URL="sqlite://").queue_kind == "memory"  # nothing outlives an in-memory database
    assert load_settings(DATABASE_URL="sqlite:///:memory:").queue_kind == "memory"
    assert load_settings(QUEUE_BACKEND="memory").queue_kind == "memory"
    assert load_settings(AzureWebJobsStorage="UseDevelopmentStorage=true").queue_kind == "azure"
    assert load_settings(AzureWebJobsStorage="UseDevelopmentStorage=true", QUEUE_BACKEND="database").queue_kind == (
        "database"
    )


def _group(body: str) -> str | None:
    return body.split(":", 1)[0] if ":" in body else None


def test_a_group_is_handed_out_in_order_one_message_at_a_time(database: Database, clock: Clock) -> None:
    q = DatabaseQueue(database.engine, "grouped", now=clock, group_of=_group)
    for body in ("ravi:1", "ravi:2", "amit:1", "ravi:3", "loose", "amit:2"):
        q.send(body)
    first = q.receive(max_messages=10, visibility_timeout=600)
    assert [m.body for m in first] == ["ravi:1", "amit:1", "loose"]  # one per group, the group's oldest
    assert q.receive(max_messages=10) == []  # the others wait for their group's message in flight
    ravi1, amit1, _loose = first
    q.delete(ravi1)
    assert [m.body for m in q.receive(max_messages=10, visibility_timeout=600)] == ["ravi:2"]
    q.release(amit1, visibility_timeout=30)  # failed: a broken message does not hold its sender back
    [amit2] = q.receive(max_messages=10, visibility_timeout=600)
    assert amit2.body == "amit:2"
    clock.advance(30)
    assert [m.body for m in q.receive(max_messages=10)] == ["amit:1"]


def test_a_lease_that_ran_out_or_a_delayed_message_does_not_hold_a_group(database: Database, clock: Clock) -> None:
    q = DatabaseQueue(database.engine, "grouped", now=clock, group_of=_group)
    q.send("ravi:later", delay_seconds=5)
    q.send("ravi:now")
    [now] = q.receive(max_messages=10, visibility_timeout=10)
    assert now.body == "ravi:now"
    clock.advance(10)  # its worker died and the lease ran out: both are visible, and the older goes first
    assert [m.body for m in q.receive(max_messages=10)] == ["ravi:later"]


def test_the_local_host_refuses_a_database_without_the_queue_table_in_one_line(tmp_path) -> None:
    from crm_core.composition import Container
    from crm_core.localhost import LocalHost
    from crm_core.settings import ConfigError

    url = f"sqlite:///{tmp_path / 'old.db'}"
    Database(url).engine.dispose()
    settings = load_settings(DATABASE_URL=url, WEBHOOK_SECRET="x", QUEUE_BACKEND="database")
    host = LocalHost(container=Container(settings), timers=False, migrate=False)
    with pytest.raises(ConfigError, match=r"queue inbound in the database is not usable .*db upgrade"):
        host.start()
