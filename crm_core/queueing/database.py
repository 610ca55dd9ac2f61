"""The embedded default queue: Azure Storage Queue semantics in a table (`queue_messages`) of the app's database.

Durable by construction: `send` returns only after its INSERT is committed — on SQLite with `synchronous=FULL`, so
the write-ahead log is on disk — and the webhook answers 200 only after `send` returns. A message that got its 200
therefore survives `kill -9` (and, on SQLite, a power cut). Everything else is what the Azure adapter offers:
`receive` hides a message until its visibility timeout ends and gives it a new pop receipt and dequeue count,
`delete` and `release` need that receipt (MessageGone otherwise), delayed sends stay hidden for their delay.

Ordering groups (what Azure Service Bus calls sessions, SQS FIFO message groups): a queue built with `group_of`
files each message under a group (for the inbound queue: the envelope's sender) and hands a group's messages out in
the order they were sent, one at a time — a message is not received while an earlier message of its group is
visible or in flight. One sender's messages therefore reach the queue function in the order the webhook received
them and each only after the previous one was processed (recorded, and applied or deferred), however the workers
are scheduled: no ordering-window guess is needed on this backend. A message released after a failure no longer
holds its group back (a broken message must not block its sender), nor does a delayed one.

`release_leases()` makes every received-but-unsettled message visible at once: the local host calls it at start,
because the process that held those leases is gone (a crashed or killed host). Processing is idempotent, so a
message taken up twice is applied once.

The queue uses its own engine on the same database (a separate pool and, on SQLite, the FULL sync level only for
the queue's own commits); engines are shared per database URL in the process, as memory queues are per name.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, event, func, or_, select, update
from sqlalchemy.engine import Engine

from crm_core.db.models import QueueMessage
from crm_core.queueing.base import MessageGone, ReceivedMessage

_table = cast(Table, QueueMessage.__table__)


def _now() -> datetime:
    return datetime.now(UTC)


class _Signal:
    """Wakes this process's idle receivers when a message is sent or released (a generation counter)."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.generation = 0

    def notify(self) -> None:
        with self.changed:
            self.generation += 1
            self.changed.notify_all()


class DatabaseQueue:
    """One named queue in the `queue_messages` table."""

    def __init__(
        self,
        engine: Engine,
        name: str,
        *,
        signal: _Signal | None = None,
        now: Callable[[], datetime] = _now,
        group_of: Callable[[str], str | None] | None = None,
    ) -> None:
        self.name = name
        self._engine = engine
        self._signal = signal or _Signal()
        self._now = now
        self._group_of = group_of

    def send(self, body: str, *, delay_seconds: float = 0) -> None:
        """Enqueue one message body, committed (durably) before returning; visible after delay_seconds."""
        self.send_message(body, delay_seconds=delay_seconds)

    def send_message(self, body: str, *, delay_seconds: float = 0) -> str:
        """Enqueue one message body and return its id."""
        if not isinstance(body, str):
            raise TypeError("a queue message body is text")
        if delay_seconds < 0:
            raise ValueError("delay_seconds cannot be negative")
        now = self._now()
        group = self._group_of(body) if self._group_of is not None else None
        with self._engine.begin() as conn:
            result = conn.execute(
                _table.insert().values(
                    queue=self.name,
                    group_key=group[:64] if group else None,
                    body=body,
                    inserted_at=now,
                    visible_at=now + timedelta(seconds=delay_seconds),
                    dequeue_count=0,
                    pop_receipt=None,
                    in_flight=False,
                )
            )
            message_id = result.inserted_primary_key[0] if result.inserted_primary_key else None
        self._signal.notify()
        return str(message_id)

    def receive(self, max_messages: int = 1, visibility_timeout: float = 30.0) -> list[ReceivedMessage]:
        """Take up to max_messages visible messages (oldest first), hiding them for visibility_timeout seconds."""
        if max_messages < 1:
            raise ValueError("max_messages must be at least 1")
        now = self._now()
        until = now + timedelta(seconds=max(0.0, visibility_timeout))
        receipt = uuid.uuid4().hex
        c = _table.c
        earlier = _table.alias("earlier")
        held_back = (
            select(earlier.c.id)
            .where(
                earlier.c.queue == c.queue,
                earlier.c.group_key == c.group_key,  # NULL: no group, never held back
                earlier.c.id < c.id,
                or_(earlier.c.visible_at <= now, earlier.c.in_flight.is_(True)),
            )
            .exists()
        )
        pick = (
            select(c.id).where(c.queue == self.name, c.visible_at <= now, ~held_back).order_by(c.id).limit(max_messages)
        )
        dialect = self._engine.dialect.name
        if dialect == "postgresql":
            pick = pick.with_for_update(skip_locked=True)
        elif dialect == "mssql":
            pick = pick.with_hint(_table, "WITH (UPDLOCK, READPAST, ROWLOCK)", dialect_name="mssql")
        with self._engine.begin() as conn:
            ids = list(conn.scalars(pick))
            if not ids:
                return []
            # Conditional: a row another receiver took meanwhile is no longer visible and is left alone.
            conn.execute(
                update(_table)
                .where(c.id.in_(ids), c.visible_at <= now)
                .values(dequeue_count=c.dequeue_count + 1, pop_receipt=receipt, visible_at=until, in_flight=True)
            )
            rows = conn.execute(select(_table).where(c.id.in_(ids), c.pop_receipt == receipt).order_by(c.id)).all()
        return [
            ReceivedMessage(
                id=str(row.id),
                pop_receipt=receipt,
                dequeue_count=int(row.dequeue_count),
                body=row.body,
                inserted_at=row.inserted_at,
                next_visible_at=until,
            )
            for row in rows
        ]

    def delete(self, message: ReceivedMessage) -> None:
        """Remove a received message (MessageGone when its pop receipt is stale)."""
        c = _table.c
        with self._engine.begin() as conn:
            gone = conn.execute(
                _table.delete().where(c.id == _id(message), c.pop_receipt == message.pop_receipt)
            ).rowcount
        if not gone:
            raise MessageGone(f"message {message.id} is gone or was received again since")
        self._signal.notify()  # the next message of its group may go now

    def release(self, message: ReceivedMessage, visibility_timeout: float = 0.0) -> ReceivedMessage:
        """Make a received message visible again after visibility_timeout seconds; the new receipt is returned."""
        c = _table.c
        receipt = uuid.uuid4().hex
        until = self._now() + timedelta(seconds=max(0.0, visibility_timeout))
        with self._engine.begin() as conn:
            changed = conn.execute(
                update(_table)
                .where(c.id == _id(message), c.pop_receipt == message.pop_receipt)
                .values(pop_receipt=receipt, visible_at=until, in_flight=False)
            ).rowcount
        if not changed:
            raise MessageGone(f"message {message.id} is gone or was received again since")
        self._signal.notify()
        return ReceivedMessage(
            id=message.id,
            pop_receipt=receipt,
            dequeue_count=message.dequeue_count,
            body=message.body,
            inserted_at=message.inserted_at,
            next_visible_at=until,
        )

    def release_leases(self) -> int:
        """Make every received, not yet settled message visible now (its holder is gone); return how many."""
        c = _table.c
        now = self._now()
        with self._engine.begin() as conn:
            changed = conn.execute(
                update(_table)
                .where(c.queue == self.name, c.pop_receipt.is_not(None), c.visible_at > now)
                .values(pop_receipt=None, visible_at=now, in_flight=False)
            ).rowcount
        if changed:
            self._signal.notify()
        return int(changed or 0)

    def count(self) -> int:
        """How many messages the queue holds, visible or not."""
        with self._engine.begin() as conn:
            return int(conn.scalar(select(func.count()).select_from(_table).where(_table.c.queue == self.name)) or 0)

    def peek(self, max_messages: int = 32) -> list[str]:
        """The bodies of up to max_messages visible messages, without receiving them."""
        c = _table.c
        with self._engine.begin() as conn:
            return list(
                conn.scalars(
                    select(c.body)
                    .where(c.queue == self.name, c.visible_at <= self._now())
                    .order_by(c.id)
                    .limit(max(1, max_messages))
                )
            )

    def clear(self) -> None:
        """Drop every message of this queue (tests)."""
        with self._engine.begin() as conn:
            conn.execute(_table.delete().where(_table.c.queue == self.name))
        self._signal.notify()

    def wait(self, timeout: float) -> None:
        """Block until a message is sent, settled or released in this process, a hidden one becomes visible, or
        timeout (called after a receive found nothing: visible messages are held back by their group)."""
        with self._signal.changed:
            generation = self._signal.generation
        c = _table.c
        now = self._now()
        with self._engine.begin() as conn:
            soonest = conn.scalar(select(func.min(c.visible_at)).where(c.queue == self.name, c.visible_at > now))
        delay = timeout if soonest is None else min(timeout, (soonest - now).total_seconds())
        with self._signal.changed:
            if self._signal.generation == generation and delay > 0:
                self._signal.changed.wait(delay)

    def wake(self) -> None:
        """Wake every waiter (a stopping runner)."""
        self._signal.notify()


def _id(message: ReceivedMessage) -> int:
    try:
        return int(message.id)
    except ValueError:
        raise MessageGone(f"message {message.id} is not a message of this queue") from None


_engines: dict[str, Engine] = {}
_signals: dict[tuple[str, str], _Signal] = {}
_registry_lock = threading.Lock()


def queue_engine(url: str) -> Engine:
    """The process-wide engine the queues of one database share (SQLite: WAL with synchronous=FULL)."""
    with _registry_lock:
        engine = _engines.get(url)
        if engine is None:
            from crm_core.db.engine import make_engine

            engine = _engines[url] = make_engine(url)
            if engine.dialect.name == "sqlite":
                event.listen(engine, "connect", _full_sync)
        return engine


def _full_sync(dbapi_conn: Any, _record: Any) -> None:
    # Registered after make_engine's own listener (which sets NORMAL), so this one wins for the queue's connections.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA synchronous=FULL")
    cur.close()


def database_queue(url: str, name: str, *, group_of: Callable[[str], str | None] | None = None) -> DatabaseQueue:
    """The named queue in the database at url (one engine per database, one wake-up signal per queue)."""
    engine = queue_engine(url)
    with _registry_lock:
        signal = _signals.setdefault((url, name), _Signal())
    return DatabaseQueue(engine, name, signal=signal, group_of=group_of)


def reset_database_queues() -> None:
    """Dispose every queue engine and forget the signals (tests)."""
    with _registry_lock:
        engines = list(_engines.values())
        _engines.clear()
        _signals.clear()
    for engine in engines:
        engine.dispose()
