"""A lead's history: ONE chronological stream merged from the lead, activities, events, outbox and inbound rows.

Five indexed queries by lead id plus one for the actors (no N+1); entries are ordered by
(time, source, row id, step) so the cursor is stable even when several entries share a moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.api import cursors
from crm_core.api.http import Reply, RequestContext
from crm_core.api.policy import visible_lead
from crm_core.api.schemas import HistoryEntry, HistoryPage, HistoryQuery, UserRef
from crm_core.db.models import Activity, Event, InboundMessage, Lead, Outbox, OutboxStatus, User

RANK = {"lead": 0, "activity": 1, "event": 2, "outbox": 3, "inbound": 4}


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
    def key(self) -> tuple[datetime, int, int, int]:
        return (self.at, RANK[self.source], self.source_id, self.step)


def _dict(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def collect(session: Session, lead: Lead) -> list[_Raw]:
    """Every history entry of a lead, unsorted."""
    activities = list(session.scalars(select(Activity).where(Activity.lead_id == lead.id)))
    out: list[_Raw] = []
    if not any(a.kind == "lead_created" for a in activities):  # handlers log it; older or imported leads may not
        out.append(
            _Raw(
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
        )
    for a in activities:
        kind = "lead_created" if a.kind == "lead_created" else "activity"
        out.append(_Raw(a.created_at, "activity", a.id, 0, kind, a.kind, a.actor_id, a.text, _dict(a.data)))
    for e in session.scalars(select(Event).where(Event.lead_id == lead.id)):
        info = {
            "starts_at": e.starts_at.isoformat(),
            "has_time": bool(e.has_time),
            "assignee_id": e.assignee_id,
            "status": e.status,
        }
        out.append(
            _Raw(
                e.created_at,
                "event",
                e.id,
                0,
                "event_scheduled",
                e.kind,
                e.created_by_id,
                f"{e.kind.capitalize()} scheduled",
                info,
            )
        )
        if e.status == "done":
            out.append(
                _Raw(
                    e.completed_at or e.updated_at,
                    "event",
                    e.id,
                    1,
                    "event_done",
                    e.kind,
                    e.assignee_id,
                    e.outcome or f"{e.kind.capitalize()} done",
                    info,
                )
            )
        elif e.status == "cancelled":
            out.append(
                _Raw(
                    e.updated_at,
                    "event",
                    e.id,
                    1,
                    "event_cancelled",
                    e.kind,
                    None,
                    f"{e.kind.capitalize()} cancelled",
                    info,
                )
            )
    for o in session.scalars(select(Outbox).where(Outbox.lead_id == lead.id)):
        out.extend(_outbox_entries(o))
    for m in session.scalars(select(InboundMessage).where(InboundMessage.lead_id == lead.id)):
        out.append(
            _Raw(
                m.sent_at,
                "inbound",
                m.id,
                0,
                "message_in",
                m.intent,
                m.sender_user_id,
                m.text,
                {"provider": m.provider, "status": m.status},
            )
        )
    return out


def _outbox_entries(o: Outbox) -> list[_Raw]:
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
        return [_Raw(o.sent_at or o.created_at, "outbox", o.id, 0, "message_out", o.kind, None, o.body, info)]
    rows = [_Raw(o.created_at, "outbox", o.id, 0, "reminder_scheduled", None, None, o.body, info)]
    if o.status == OutboxStatus.SENT:
        rows.append(_Raw(o.sent_at or o.due_at, "outbox", o.id, 1, "reminder_sent", None, None, o.body, info))
    elif o.status == OutboxStatus.CANCELLED:
        when = _cancelled_at(o) or o.due_at
        rows.append(_Raw(when, "outbox", o.id, 1, "reminder_cancelled", None, None, o.body, info))
    elif o.status == OutboxStatus.DEAD:
        rows.append(_Raw(o.due_at, "outbox", o.id, 1, "reminder_failed", None, None, o.body, info))
    return rows


def _cancelled_at(o: Outbox) -> datetime | None:
    raw = (o.data or {}).get("cancelled_at") if isinstance(o.data, dict) else None
    try:
        return datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


def lead_history(ctx: RequestContext) -> Reply:
    """One page of a lead's history, oldest (or newest) first."""
    session = ctx.db
    lead = visible_lead(session, ctx.actor, ctx.path.lead_id)
    query: HistoryQuery = ctx.query
    entries = sorted(collect(session, lead), key=lambda r: r.key, reverse=query.order == "desc")
    if query.cursor:
        at, rank, source_id, step = cursors.decode(query.cursor, datetime, int, int, int)
        after = (at, rank, source_id, step)
        entries = [r for r in entries if (r.key > after if query.order == "asc" else r.key < after)]
    page = entries[: query.limit]
    next_cursor = cursors.encode(*page[-1].key) if len(entries) > query.limit else None
    actor_ids = {r.actor_id for r in page if r.actor_id is not None}
    actors = {
        u.id: UserRef(id=u.id, username=u.username, name=u.name)
        for u in (session.scalars(select(User).where(User.id.in_(actor_ids))) if actor_ids else [])
    }
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
    return Reply(HistoryPage(lead_id=lead.id, company=lead.company, items=items, next_cursor=next_cursor))
