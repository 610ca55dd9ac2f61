"""Admin view of dead outbox rows: messages that gave up after their retries, with the last error."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from crm_core.api.deps import Admin, Db
from crm_core.api.routing import ApiRoute
from crm_core.api.schemas_ops import DeadMessage, DeadPage, DeadQuery
from crm_core.db.models import Outbox, OutboxStatus

router = APIRouter(route_class=ApiRoute, tags=["management"])


@router.get("/outbox/dead", summary="Outgoing messages that gave up after their retries")
def dead_messages(query: Annotated[DeadQuery, Query()], actor: Admin, db: Db) -> DeadPage:
    """Dead outbox rows, newest first; page with `before`."""
    stmt = select(Outbox).where(Outbox.status == OutboxStatus.DEAD)
    if query.before is not None:
        stmt = stmt.where(Outbox.id < query.before)
    rows = db.scalars(stmt.order_by(Outbox.id.desc()).limit(query.limit + 1)).all()
    page = rows[: query.limit]
    items = [DeadMessage.model_validate(r) for r in page]
    return DeadPage(items=items, next_before=page[-1].id if len(rows) > query.limit else None)
