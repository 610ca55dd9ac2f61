"""Admin view of dead outbox rows: messages that gave up after their retries, with the last error."""

from __future__ import annotations

from sqlalchemy import select

from crm_core.api.http import Reply, RequestContext
from crm_core.api.schemas import DeadMessage, DeadPage, DeadQuery
from crm_core.db.models import Outbox, OutboxStatus


def dead_messages(ctx: RequestContext) -> Reply:
    """Dead outbox rows, newest first; page with `before`."""
    query: DeadQuery = ctx.query
    stmt = select(Outbox).where(Outbox.status == OutboxStatus.DEAD)
    if query.before is not None:
        stmt = stmt.where(Outbox.id < query.before)
    rows = ctx.db.scalars(stmt.order_by(Outbox.id.desc()).limit(query.limit + 1)).all()
    page = rows[: query.limit]
    items = [
        DeadMessage(
            id=r.id,
            channel=r.channel,
            kind=r.kind,
            recipient=r.recipient,
            recipient_user_id=r.recipient_user_id,
            body=r.body,
            attempts=r.attempts,
            last_error=r.last_error,
            lead_id=r.lead_id,
            due_at=r.due_at,
            created_at=r.created_at,
        )
        for r in page
    ]
    return Reply(DeadPage(items=items, next_before=page[-1].id if len(rows) > query.limit else None))
