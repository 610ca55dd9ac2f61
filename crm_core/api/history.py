"""A lead's history: ONE chronological stream merged from the lead, activities, events, outbox and inbound rows.

Paged in SQL: every source is read with a keyset condition on its own (time, id) order and LIMIT n+1, then the
sources are merged in Python and the first n entries kept. Entries are ordered by (time, source rank, row id, step),
and the opaque cursor is that key of the last entry, so a page boundary inside a run of equal timestamps neither
repeats nor skips an entry. Per page: four source statements plus one for the actors, whatever the lead's size.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import (
    TIMESTAMP,
    ColumnElement,
    Integer,
    Row,
    Select,
    SQLColumnExpression,
    and_,
    case,
    cast,
    func,
    literal,
    select,
    tuple_,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session

from crm_core.api import cursors
from crm_core.api.deps import Actor, Db
from crm_core.api.errors import ApiError, errors
from crm_core.api.policy import visible_lead
from crm_core.api.routing import ApiRoute
from crm_core.api.schemas import HistoryEntry, HistoryPage, HistoryQuery, LeadId, UserRef
from crm_core.db.models import Activity, Event, InboundMessage, Lead, Outbox, OutboxStatus, User, UTCDateTime

RANK = {"lead": 0, "activity": 1, "event": 2, "outbox": 3, "inbound": 4}
Key = tuple[datetime, int, int, int]
router = APIRouter(route_class=ApiRoute, tags=["leads"])


@dataclass(frozen=True)
class _Raw:
    at: datetime
    source: str
    source_id: int
    step: int
    kind: str
    subkind: str | None
    actor_id: int | None
    text: str
    data: dict[str, Any] | None

    @property
    def key(self) -> Key:
        return (self.at, RANK[self.source], self.source_id, self.step)


@dataclass(frozen=True)
class _Window:
    """Where a page starts and which way it runs; builds each stream's keyset condition and order."""

    after: Key | None
    desc: bool
    size: int

    def beyond(self, key: Key) -> bool:
        """Whether an entry with this key belongs after the cursor."""
        return self.after is None or (key < self.after if self.desc else key > self.after)

    def condition(self, at: SQLColumnExpression[datetime], row_id: Any, source: str, step: int) -> ColumnElement[bool]:
        """The SQL keyset condition for one stream: entries of (source, step) strictly beyond the cursor."""
        if self.after is None:
            return literal(True)
        c_at, c_rank, c_id, c_step = self.after
        rank = RANK[source]
        if rank == c_rank:  # same stream family: the row id (then the step) breaks the tie on time
            inclusive = step < c_step if self.desc else step > c_step
            pair, bound = tuple_(at, row_id), tuple_(type_coerce(c_at, UTCDateTime()), c_id)
            if self.desc:
                return pair <= bound if inclusive else pair < bound
            return pair >= bound if inclusive else pair > bound
        later_rank = rank < c_rank if self.desc else rank > c_rank  # equal times of this stream come after
        if self.desc:
            return at <= c_at if later_rank else at < c_at
        return at >= c_at if later_rank else at > c_at

    def ordered(
        self, stmt: Select[*tuple[Any, ...]], at: SQLColumnExpression[datetime], row_id: Any
    ) -> Select[*tuple[Any, ...]]:
        """The stream in page order, at most one row more than the page."""
        order = (at.desc(), row_id.desc()) if self.desc else (at.asc(), row_id.asc())
        return stmt.order_by(*order).limit(self.size + 1)


def _dict(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def _utc(expr: Any) -> ColumnElement[datetime]:
    return type_coerce(expr, UTCDateTime())


def _union(session: Session, branches: Sequence[Select[*tuple[Any, ...]]]) -> Sequence[Row[Any]]:
    """Run one statement: the branches (each ordered and limited on its own) under UNION ALL."""
    if len(branches) == 1:
        return session.execute(branches[0]).all()
    subqueries = [b.subquery() for b in branches]
    return session.execute(union_all(*(select(*sq.c) for sq in subqueries))).all()


def _activities(session: Session, lead: Lead, window: _Window) -> list[_Raw]:
    """Activities in page order; plus the synthetic creation entry when no creation was logged."""
    cols = (Activity.id, Activity.kind, Activity.actor_id, Activity.text, Activity.data, Activity.created_at)
    page = window.ordered(
        select(*cols, literal(0, Integer).label("probe")).where(
            Activity.lead_id == lead.id, window.condition(Activity.created_at, Activity.id, "activity", 0)
        ),
        Activity.created_at,
        Activity.id,
    )
    synthetic = _Raw(
        lead.created_at,
        "lead",
        lead.id,
        0,
        "lead_created",
        None,
        lead.creator_id,
        f"Lead created: {lead.company}",
        {"owner_id": lead.owner_id, "source": lead.source},
    )
    branches = [page]
    if window.beyond(synthetic.key):  # handlers log the creation; older or imported leads may not have it
        probe = select(*cols, literal(1, Integer).label("probe"))
        branches.append(probe.where(Activity.lead_id == lead.id, Activity.kind == "lead_created").limit(1))
    rows = _union(session, branches)
    out = [
        _Raw(a.created_at, "activity", a.id, 0, "activity", a.kind, a.actor_id, a.text, _dict(a.data))
        if a.kind != "lead_created"
        else _Raw(a.created_at, "activity", a.id, 0, "lead_created", a.kind, a.actor_id, a.text, _dict(a.data))
        for a in rows
        if not a.probe
    ]
    if len(branches) > 1 and not any(a.probe for a in rows):
        out.append(synthetic)
    return out


def _events(session: Session, lead: Lead, window: _Window) -> list[_Raw]:
    """Events scheduled (at creation) and closed (done or cancelled), each stream keyset-paged."""
    cols = (
        Event.id,
        Event.kind,
        Event.starts_at,
        Event.has_time,
        Event.assignee_id,
        Event.status,
        Event.outcome,
        Event.created_by_id,
    )
    closed_at = _utc(
        case((Event.status == "done", func.coalesce(Event.completed_at, Event.updated_at)), else_=Event.updated_at)
    )
    streams = (
        (0, _utc(Event.created_at), Event.lead_id == lead.id),
        (1, closed_at, and_(Event.lead_id == lead.id, Event.status.in_(("done", "cancelled")))),
    )
    branches = [
        window.ordered(
            select(*cols, at.label("at"), literal(step, Integer).label("step")).where(
                where, window.condition(at, Event.id, "event", step)
            ),
            at,
            Event.id,
        )
        for step, at, where in streams
    ]
    out: list[_Raw] = []
    for e in _union(session, branches):
        info = {
            "starts_at": e.starts_at.isoformat(),
            "has_time": bool(e.has_time),
            "assignee_id": e.assignee_id,
            "status": e.status,
        }
        label = e.kind.capitalize()
        if e.step == 0:
            out.append(
                _Raw(e.at, "event", e.id, 0, "event_scheduled", e.kind, e.created_by_id, f"{label} scheduled", info)
            )
        elif e.status == "done":
            out.append(
                _Raw(e.at, "event", e.id, 1, "event_done", e.kind, e.assignee_id, e.outcome or f"{label} done", info)
            )
        else:
            out.append(_Raw(e.at, "event", e.id, 1, "event_cancelled", e.kind, None, f"{label} cancelled", info))
    return out


def _json_time(session: Session, raw: ColumnElement[str]) -> ColumnElement[datetime] | None:
    """An ISO-8601 string (any offset) as the stored naive-UTC time, in SQL; None where the dialect has no way."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return _utc(func.timezone("UTC", cast(raw, TIMESTAMP(timezone=True))))
    if dialect == "sqlite":  # strftime converts the offset to UTC; pad milliseconds to the stored microseconds
        return _utc(func.strftime("%Y-%m-%d %H:%M:%f", raw).concat("000"))
    return None


def _outbox(session: Session, lead: Lead, window: _Window) -> list[_Raw]:
    """Messages out (at sending) and reminders: scheduled, then sent, cancelled or failed."""
    cols = (
        Outbox.id,
        Outbox.channel,
        Outbox.kind,
        Outbox.status,
        Outbox.due_at,
        Outbox.recipient_user_id,
        Outbox.attempts,
        Outbox.last_error,
        Outbox.body,
    )
    is_reminder = Outbox.kind == "reminder"
    opened_at = _utc(case((is_reminder, Outbox.created_at), else_=func.coalesce(Outbox.sent_at, Outbox.created_at)))
    cancelled = _json_time(session, Outbox.data["cancelled_at"].as_string())
    cancelled_at = func.coalesce(cancelled, Outbox.due_at) if cancelled is not None else Outbox.due_at
    closed_at = _utc(
        case(
            (Outbox.status == OutboxStatus.SENT, func.coalesce(Outbox.sent_at, Outbox.due_at)),
            (Outbox.status == OutboxStatus.CANCELLED, cancelled_at),
            else_=Outbox.due_at,
        )
    )
    closing = (OutboxStatus.SENT, OutboxStatus.CANCELLED, OutboxStatus.DEAD)
    streams = (
        (0, opened_at, Outbox.lead_id == lead.id),
        (1, closed_at, and_(Outbox.lead_id == lead.id, is_reminder, Outbox.status.in_(closing))),
    )
    branches = [
        window.ordered(
            select(*cols, at.label("at"), literal(step, Integer).label("step")).where(
                where, window.condition(at, Outbox.id, "outbox", step)
            ),
            at,
            Outbox.id,
        )
        for step, at, where in streams
    ]
    return [_outbox_entry(o) for o in _union(session, branches)]


_CLOSED = {
    OutboxStatus.SENT: "reminder_sent",
    OutboxStatus.CANCELLED: "reminder_cancelled",
    OutboxStatus.DEAD: "reminder_failed",
}


def _outbox_entry(o: Row[Any]) -> _Raw:
    info: dict[str, Any] = {
        "channel": o.channel,
        "kind": o.kind,
        "status": o.status,
        "due_at": o.due_at.isoformat(),
        "recipient_user_id": o.recipient_user_id,
        "attempts": o.attempts,
    }
    if o.last_error:
        info["last_error"] = o.last_error
    if o.kind != "reminder":
        return _Raw(o.at, "outbox", o.id, 0, "message_out", o.kind, None, o.body, info)
    kind = "reminder_scheduled" if o.step == 0 else _CLOSED[o.status]
    return _Raw(o.at, "outbox", o.id, o.step, kind, None, None, o.body, info)


def _inbound(session: Session, lead: Lead, window: _Window) -> list[_Raw]:
    """Messages in, at the sender's clock; a voice note's text is its transcript, with `data.media` saying so."""
    m = InboundMessage
    stmt = select(m.id, m.sent_at, m.intent, m.sender_user_id, m.text, m.provider, m.status, m.media).where(
        m.lead_id == lead.id, window.condition(m.sent_at, m.id, "inbound", 0)
    )
    return [
        _Raw(
            r.sent_at,
            "inbound",
            r.id,
            0,
            "message_in",
            r.intent,
            r.sender_user_id,
            r.text,
            {"provider": r.provider, "status": r.status, **_media_info(r.media)},
        )
        for r in session.execute(window.ordered(stmt, m.sent_at, m.id))
    ]


def _media_info(media: Any) -> dict[str, Any]:
    """A voice note's or photo's kind and what came of it (crm_core.media), for the history entry's data."""
    if not isinstance(media, dict) or not media.get("kind"):
        return {}
    return {"media": {"kind": media.get("kind"), "status": media.get("status")}}


def page_of(session: Session, lead: Lead, window: _Window) -> tuple[list[_Raw], bool]:
    """The entries of one page in order, and whether more follow."""
    merged: list[_Raw] = []
    for source in (_activities, _events, _outbox, _inbound):
        merged.extend(source(session, lead, window))
    merged.sort(key=lambda r: r.key, reverse=window.desc)
    return merged[: window.size], len(merged) > window.size


def collect(session: Session, lead: Lead) -> list[_Raw]:
    """Every history entry of a lead, oldest first (walks the pages; for tools and tests, not the API)."""
    out: list[_Raw] = []
    after: Key | None = None
    while True:
        page, more = page_of(session, lead, _Window(after, False, 1000))
        out.extend(page)
        if not more:
            return out
        after = page[-1].key


def _after(cursor: str | None) -> Key | None:
    """The cursor's key, or a 422 when it does not name a position in a history."""
    if not cursor:
        return None
    at, rank, source_id, step = cursors.decode(cursor, datetime, int, int, int)
    if rank not in RANK.values() or step not in (0, 1):
        raise ApiError(422, "invalid_cursor", "the cursor is not valid; start again without it")
    return (at, rank, source_id, step)


def _actors(session: Session, entries: Iterable[_Raw]) -> dict[int, UserRef]:
    """The actors of a page, in one query."""
    ids = {r.actor_id for r in entries if r.actor_id is not None}
    if not ids:
        return {}
    users = session.execute(select(User.id, User.username, User.name).where(User.id.in_(ids)))
    return {u.id: UserRef(id=u.id, username=u.username, name=u.name) for u in users}


@router.get("/history/{lead_id}", summary="Everything about a lead in one chronological stream", responses=errors(404))
def lead_history(lead_id: LeadId, query: Annotated[HistoryQuery, Query()], actor: Actor, db: Db) -> HistoryPage:
    """One page of a lead's history, oldest (or newest) first."""
    session = db
    window = _Window(_after(query.cursor), query.order == "desc", query.limit)
    lead = visible_lead(session, actor, lead_id)
    page, more = page_of(session, lead, window)
    next_cursor = cursors.encode(*page[-1].key) if more else None
    actors = _actors(session, page)
    items = [
        HistoryEntry(
            at=r.at,
            kind=r.kind,
            subkind=r.subkind,
            source=r.source,
            source_id=r.source_id,
            actor=actors.get(r.actor_id) if r.actor_id is not None else None,
            text=r.text,
            data=r.data,
        )
        for r in page
    ]
    return HistoryPage(lead_id=lead.id, company=lead.company, items=items, next_cursor=next_cursor)
