"""The management view for leaders (their team) and admins (everyone): counts, overdue work, stale leads."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import and_, func, or_, select

from crm_core.access import is_admin, lead_scope
from crm_core.api.deps import Ctr, Db, Leader
from crm_core.api.routing import ApiRoute
from crm_core.api.schemas_ops import (
    OverdueEvent,
    OverdueFollowUp,
    OwnerCounts,
    Pipeline,
    PipelineQuery,
    StaleLead,
)
from crm_core.api.users import user_ref
from crm_core.db.models import Event, Lead, LeadStatus, Outbox, OutboxStatus, User

LIST_LIMIT = 100
router = APIRouter(route_class=ApiRoute, tags=["management"])


@router.get("/pipeline", summary="The management view: counts, overdue work, stale leads")
def pipeline(query: Annotated[PipelineQuery, Query()], actor: Leader, db: Db, container: Ctr) -> Pipeline:
    """Leads by status and owner, overdue events and follow-ups, and leads idle for stale_days."""
    session = db
    tz = container.settings.tz
    now = container.clock.now()
    scope = lead_scope(actor)
    counts = session.execute(
        select(Lead.owner_id, Lead.status, func.count(Lead.id)).where(scope).group_by(Lead.owner_id, Lead.status)
    ).all()
    owner_ids = {owner_id for owner_id, _, _ in counts}
    owners = {u.id: u for u in session.scalars(select(User).where(User.id.in_(owner_ids)))} if owner_ids else {}
    by_status: dict[str, int] = dict.fromkeys(LeadStatus.ORDER, 0)
    per_owner: dict[int, dict[str, int]] = {}
    for owner_id, status, n in counts:
        by_status[status] = by_status.get(status, 0) + int(n)
        per_owner.setdefault(owner_id, {})[status] = int(n)
    by_owner = [
        OwnerCounts(owner=user_ref(owners[oid]), total=sum(c.values()), by_status=c)
        for oid, c in per_owner.items()
        if oid in owners
    ]
    by_owner.sort(key=lambda o: (-o.total, o.owner.username))

    start_of_today = datetime.combine(now.astimezone(tz).date(), time(0), tz).astimezone(UTC)
    overdue_events = [
        OverdueEvent(
            event_id=e.id,
            kind=e.kind,
            starts_at=e.starts_at,
            lead_id=lead.id,
            company=lead.company,
            assignee=user_ref(u),
        )
        for e, lead, u in session.execute(
            select(Event, Lead, User)
            .join(Lead, Lead.id == Event.lead_id)
            .join(User, User.id == Event.assignee_id)
            .where(
                scope,
                Event.status == "scheduled",
                or_(and_(Event.has_time.is_(True), Event.starts_at < now), Event.starts_at < start_of_today),
            )
            .order_by(Event.starts_at)
            .limit(LIST_LIMIT)
        ).all()
    ]
    follow_ups = [
        OverdueFollowUp(
            reminder_id=o.id,
            due_at=o.due_at,
            lead_id=lead.id,
            company=lead.company,
            user=user_ref(u) if u is not None else None,
            text=o.body,
        )
        for o, lead, u in session.execute(
            select(Outbox, Lead, User)
            .join(Lead, Lead.id == Outbox.lead_id)
            .outerjoin(User, User.id == Outbox.recipient_user_id)
            .where(
                scope,
                Outbox.kind == "reminder",
                Outbox.status != OutboxStatus.CANCELLED,
                Outbox.due_at < now,
                Lead.last_activity_at < Outbox.due_at,
                Lead.status.not_in(LeadStatus.CLOSED),
            )
            .order_by(Outbox.due_at)
            .limit(LIST_LIMIT)
        ).all()
    ]
    stale_before = now - timedelta(days=query.stale_days)
    stale = [
        StaleLead(
            lead_id=lead.id,
            company=lead.company,
            status=lead.status,
            owner=user_ref(u),
            last_activity_at=lead.last_activity_at,
        )
        for lead, u in session.execute(
            select(Lead, User)
            .join(User, User.id == Lead.owner_id)
            .where(scope, Lead.status.not_in(LeadStatus.CLOSED), Lead.last_activity_at < stale_before)
            .order_by(Lead.last_activity_at)
            .limit(LIST_LIMIT)
        ).all()
    ]
    return Pipeline(
        scope="all" if is_admin(actor) else "team",
        generated_at=now,
        stale_days=query.stale_days,
        total=sum(by_status.values()),
        by_status=by_status,
        by_owner=by_owner,
        overdue_events=overdue_events,
        overdue_follow_ups=follow_ups,
        stale_leads=stale,
    )
