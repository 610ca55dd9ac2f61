"""Outbox delivery: claim due rows atomically, send each once, record sent / retry with back-off / dead.

A claim is one conditional UPDATE (`status='pending' AND due_at<=now`, or a `sending` row whose lease ran
out) that stamps a fresh claim token; only the holder of the token sends the row and records its outcome.
Candidates are picked with `FOR UPDATE SKIP LOCKED` (PostgreSQL) / `UPDLOCK, READPAST` (Azure SQL) so two
sweeps split the work instead of queueing; on SQLite every write transaction is already serialised
(BEGIN IMMEDIATE). Either way the conditional UPDATE is what makes a double send impossible.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from crm_core.db.models import Outbox, OutboxStatus
from crm_core.delivery.quiet_hours import quiet_until
from crm_core.outbox import PRECLAIM_KEY, PreClaim
from crm_core.ports import OutgoingMessage, SendError

if TYPE_CHECKING:
    from crm_core.composition import Container

log = logging.getLogger("crm_core.delivery")

BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
MAX_BATCHES_PER_SWEEP = 10_000  # a guard against a runaway loop, far above any real backlog
_ERROR_MAX = 2000


@dataclass
class SweepStats:
    """What one delivery pass did."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    dead: int = 0
    deferred: int = 0  # pushed out of quiet hours
    lost_claim: int = 0  # sent, but the lease had expired and another worker took the row

    def add(self, other: SweepStats) -> None:
        """Accumulate another pass's counts."""
        for name in ("claimed", "sent", "retried", "dead", "deferred", "lost_claim"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after `attempts` failures: 30 s, 1 min, 2 min, … capped at 1 h."""
    return timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


def _due(now: datetime) -> Any:
    return or_(
        and_(Outbox.status == OutboxStatus.PENDING, Outbox.due_at <= now),
        and_(Outbox.status == OutboxStatus.SENDING, Outbox.claimed_until < now),
    )


def _defer_quiet(session: Session, now: datetime, until: datetime, ids: Sequence[int] | None) -> int:
    """Push due non-urgent rows to the end of the quiet window (one UPDATE)."""
    stmt = (
        update(Outbox)
        .where(_due(now), Outbox.urgent.is_(False))
        .values(status=OutboxStatus.PENDING, due_at=until, claim_token=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    if ids is not None:
        stmt = stmt.where(Outbox.id.in_(ids))
    return int(session.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]


def claim(
    container: Container, now: datetime, limit: int, ids: Sequence[int] | None = None
) -> tuple[list[Outbox], int]:
    """Atomically claim up to `limit` due rows (optionally only `ids`); return them and the quiet-hours count."""
    settings = container.settings
    token = str(uuid.uuid4())
    lease = timedelta(seconds=60 + limit * (settings.maytapi_timeout_seconds + 5))
    with container.database.transaction() as session:
        deferred = 0
        until = quiet_until(now, settings)
        if until is not None:
            deferred = _defer_quiet(session, now, until, ids)
        pick = select(Outbox.id).where(_due(now)).order_by(Outbox.due_at, Outbox.id).limit(limit)
        if ids is not None:
            pick = pick.where(Outbox.id.in_(ids))
        pick = pick.with_for_update(skip_locked=True).with_hint(
            Outbox, "WITH (UPDLOCK, READPAST, ROWLOCK)", dialect_name="mssql"
        )
        candidates = list(session.scalars(pick))
        if not candidates:
            return [], deferred
        session.execute(
            update(Outbox)
            .where(Outbox.id.in_(candidates), _due(now))
            .values(status=OutboxStatus.SENDING, claim_token=token, claimed_until=now + lease)
            .execution_options(synchronize_session=False)
        )
        rows = list(session.scalars(select(Outbox).where(Outbox.claim_token == token).order_by(Outbox.id)))
        session.expunge_all()
    return rows, deferred


def _message(row: Outbox) -> OutgoingMessage:
    return OutgoingMessage(
        to=row.recipient,
        text=row.body,
        attachment_url=row.attachment_url,
        attachment_filename=row.attachment_filename,
        attachment_mime=row.attachment_mime,
        outbox_id=row.id,
    )


def _finish(container: Container, row: Outbox, values: dict[str, Any]) -> bool:
    """Record a row's outcome if we still hold its claim; False when another worker took it over."""
    with container.database.transaction() as session:
        result = session.execute(
            update(Outbox)
            .where(Outbox.id == row.id, Outbox.claim_token == row.claim_token)
            .values(claim_token=None, claimed_until=None, **values)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def send_claimed(container: Container, rows: Iterable[Outbox], stats: SweepStats, at: datetime | None = None) -> None:
    """Send claimed rows one by one and record each outcome (times are never before `at`)."""
    settings = container.settings
    for row in rows:
        attempts = row.attempts + 1
        try:
            if row.channel == "app":
                provider_id = None  # read by the frontend from the outbox (GET /api/app/messages)
            elif row.channel == "whatsapp":
                provider_id = container.whatsapp.send(_message(row)).provider_message_id
            else:
                raise SendError(f"unknown channel {row.channel!r}", permanent=True)
        except Exception as exc:
            permanent = isinstance(exc, SendError) and exc.permanent
            error = f"{type(exc).__name__}: {exc}"[:_ERROR_MAX]
            now = max(container.clock.now(), at) if at else container.clock.now()
            if permanent or attempts >= settings.outbox_max_attempts:
                _finish(container, row, {"status": OutboxStatus.DEAD, "attempts": attempts, "last_error": error})
                stats.dead += 1
                log.error(
                    "outbox dead: row %s to %s after %s attempt(s): %s",
                    row.id,
                    row.recipient,
                    attempts,
                    error,
                    extra={"outbox_id": row.id, "attempts": attempts},
                )
            else:
                _finish(
                    container,
                    row,
                    {
                        "status": OutboxStatus.PENDING,
                        "attempts": attempts,
                        "last_error": error,
                        "due_at": now + backoff(attempts),
                    },
                )
                stats.retried += 1
                log.warning("outbox retry: row %s attempt %s failed: %s", row.id, attempts, error)
            continue
        ok = _finish(
            container,
            row,
            {
                "status": OutboxStatus.SENT,
                "attempts": attempts,
                "sent_at": max(container.clock.now(), at) if at else container.clock.now(),
                "provider_message_id": provider_id,
                "last_error": None,
            },
        )
        stats.sent += 1
        if not ok:
            stats.lost_claim += 1
            log.warning("outbox row %s was sent after its claim lapsed", row.id)


def deliver_now(container: Container, outbox_ids: Sequence[int]) -> SweepStats:
    """Deliver the given rows if they are due (the post-commit path); never raises on a send failure."""
    stats = SweepStats()
    ids = list(dict.fromkeys(outbox_ids))
    if not ids:
        return stats
    now = container.clock.now()
    for start in range(0, len(ids), container.settings.sweep_batch_size):
        chunk = ids[start : start + container.settings.sweep_batch_size]
        rows, deferred = claim(container, now, len(chunk), chunk)
        stats.claimed += len(rows)
        stats.deferred += deferred
        send_claimed(container, rows, stats, now)
    return stats


def start_preclaim(container: Container, session: Session) -> PreClaim:
    """Make rows recorded in `session` from now on born claimed for `deliver_claimed` after commit."""
    per_row = timedelta(seconds=container.settings.maytapi_timeout_seconds + 5)
    now = container.clock.now()
    claim_ = PreClaim(
        token=str(uuid.uuid4()),
        now=container.clock.now,
        since=now,
        lease=timedelta(seconds=120) + per_row,
        per_row=per_row,
        quiet=quiet_until(now, container.settings) is not None,
    )
    session.info[PRECLAIM_KEY] = claim_
    return claim_


def detach_preclaimed(session: Session, claim_: PreClaim) -> tuple[list[Outbox], list[int]]:
    """The rows born claimed in this transaction (detached, so they keep their values after commit), and the
    ids of pending rows it recorded that are due by now after all (for `deliver_now`)."""
    session.info.pop(PRECLAIM_KEY, None)
    session.flush()
    rows = [row for row in claim_.rows if row in session and row.id is not None and row.claim_token == claim_.token]
    for row in rows:
        session.expunge(row)
    now = claim_.now()
    pending = [  # due by now after all (a clock that moves); later or quiet-hours rows are the sweep's
        row.id
        for row in claim_.others
        if row in session and row.id is not None and row.due_at <= now and (row.urgent or not claim_.quiet)
    ]
    return rows, pending


def deliver_claimed(container: Container, rows: Sequence[Outbox], at: datetime | None = None) -> SweepStats:
    """Send rows that were inserted already claimed (see `start_preclaim`), after their transaction committed."""
    stats = SweepStats(claimed=len(rows))
    send_claimed(container, rows, stats, at)
    return stats


def run_sweep(container: Container, now: datetime | None = None, batch_size: int | None = None) -> SweepStats:
    """Send everything due at `now` in bounded batches until nothing is left (the timer's job)."""
    stats = SweepStats()
    size = batch_size or container.settings.sweep_batch_size
    for _ in range(MAX_BATCHES_PER_SWEEP):
        at = now or container.clock.now()
        rows, deferred = claim(container, at, size)
        stats.claimed += len(rows)
        stats.deferred += deferred
        if not rows:
            break
        send_claimed(container, rows, stats, at)
    if stats.claimed or stats.deferred:
        log.info(
            "sweep: claimed %s, sent %s, retried %s, dead %s, deferred %s",
            stats.claimed,
            stats.sent,
            stats.retried,
            stats.dead,
            stats.deferred,
        )
    return stats


def dead_letters(session: Session, limit: int = 100) -> list[Outbox]:
    """Dead outbox rows, newest first, with their last error (for admins)."""
    stmt = select(Outbox).where(Outbox.status == OutboxStatus.DEAD).order_by(Outbox.id.desc()).limit(limit)
    return list(session.scalars(stmt))


def requeue_dead(session: Session, outbox_id: int, now: datetime) -> bool:
    """Give a dead row another round of attempts (an admin's retry); False when it is not dead."""
    result = session.execute(
        update(Outbox)
        .where(Outbox.id == outbox_id, Outbox.status == OutboxStatus.DEAD)
        .values(status=OutboxStatus.PENDING, attempts=0, due_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
