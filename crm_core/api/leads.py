"""Lead reads: a user's leads (filtered, newest activity first, cursor-paged) and a lead's activities."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy import func as sqlf

from crm_core.api import cursors
from crm_core.api.http import Reply, RequestContext
from crm_core.api.policy import lead_scope, visible_lead, visible_user
from crm_core.api.schemas import ActivityOut, ActivityPage, LeadOut, LeadPage, LeadsQuery, PageQuery
from crm_core.api.users import user_ref
from crm_core.db.models import Activity, Lead, User


def lead_out(lead: Lead, owner: User) -> LeadOut:
    """A lead as the API shows it."""
    return LeadOut(
        id=lead.id,
        company=lead.company,
        contact_name=lead.contact_name,
        phone=lead.phone,
        email=lead.email,
        source=lead.source,
        status=lead.status,
        owner=user_ref(owner),
        creator_id=lead.creator_id,
        address=lead.address,
        turnover=lead.turnover,
        current_system=lead.current_system,
        challenges=lead.challenges,
        industry=lead.industry,
        team_size=lead.team_size,
        lost_reason=lead.lost_reason,
        created_at=lead.created_at,
        updated_at=lead.updated_at,
        last_activity_at=lead.last_activity_at,
    )


def list_leads(ctx: RequestContext) -> Reply:
    """A user's leads (owned or created), newest activity first; filters status and q; limit + cursor."""
    session, actor = ctx.db, ctx.actor
    target = visible_user(session, actor, session.get(User, ctx.path.user_id))
    query: LeadsQuery = ctx.query
    stmt = (
        select(Lead, User)
        .join(User, User.id == Lead.owner_id)
        .where(or_(Lead.owner_id == target.id, Lead.creator_id == target.id), lead_scope(actor))
    )
    if query.status:
        stmt = stmt.where(Lead.status == query.status)
    if query.q:
        needle = query.q.lower()
        stmt = stmt.where(
            or_(
                sqlf.lower(Lead.company).contains(needle, autoescape=True),
                sqlf.lower(Lead.contact_name).contains(needle, autoescape=True),
                Lead.phone.contains(needle, autoescape=True),
                sqlf.lower(Lead.email).contains(needle, autoescape=True),
            )
        )
    if query.cursor:
        at, last_id = cursors.decode(query.cursor, datetime, int)
        stmt = stmt.where(or_(Lead.last_activity_at < at, and_(Lead.last_activity_at == at, Lead.id < last_id)))
    rows = session.execute(stmt.order_by(Lead.last_activity_at.desc(), Lead.id.desc()).limit(query.limit + 1)).all()
    page = rows[: query.limit]
    next_cursor = None
    if len(rows) > query.limit:
        last = page[-1][0]
        next_cursor = cursors.encode(last.last_activity_at, last.id)
    return Reply(LeadPage(items=[lead_out(lead, owner) for lead, owner in page], next_cursor=next_cursor))


def list_activities(ctx: RequestContext) -> Reply:
    """A lead's activities, oldest first, with their actors; limit + cursor."""
    session, actor = ctx.db, ctx.actor
    lead = visible_lead(session, actor, ctx.path.lead_id)
    query: PageQuery = ctx.query
    stmt = select(Activity, User).outerjoin(User, User.id == Activity.actor_id).where(Activity.lead_id == lead.id)
    if query.cursor:
        at, last_id = cursors.decode(query.cursor, datetime, int)
        stmt = stmt.where(or_(Activity.created_at > at, and_(Activity.created_at == at, Activity.id > last_id)))
    rows = session.execute(stmt.order_by(Activity.created_at, Activity.id).limit(query.limit + 1)).all()
    page = rows[: query.limit]
    items = [
        ActivityOut(
            id=a.id,
            lead_id=a.lead_id,
            kind=a.kind,
            text=a.text,
            data=a.data if isinstance(a.data, dict) else None,
            actor=user_ref(u) if u is not None else None,
            created_at=a.created_at,
        )
        for a, u in page
    ]
    next_cursor = cursors.encode(page[-1][0].created_at, page[-1][0].id) if len(rows) > query.limit else None
    return Reply(ActivityPage(items=items, next_cursor=next_cursor))
