"""Lead reads: a user's leads (filtered, newest activity first, cursor-paged) and a lead's activities."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import ColumnElement, and_, or_, select, tuple_, type_coerce, union_all
from sqlalchemy import func as sqlf

from crm_core.access import is_admin, lead_scope
from crm_core.api import cursors
from crm_core.api.deps import Actor, Db
from crm_core.api.errors import errors
from crm_core.api.policy import visible_lead, visible_user
from crm_core.api.routing import ApiRoute
from crm_core.api.schemas import (
    ActivityOut,
    ActivityPage,
    LeadId,
    LeadOut,
    LeadPage,
    LeadsQuery,
    PageQuery,
    UserId,
)
from crm_core.api.users import user_ref
from crm_core.db.models import Activity, Lead, User, UTCDateTime

router = APIRouter(route_class=ApiRoute, tags=["leads"])


def lead_out(lead: Lead, owner: User) -> LeadOut:
    """A lead as the API shows it."""
    fields = {name: getattr(lead, name) for name in LeadOut.model_fields if name != "owner"}
    return LeadOut(**fields, owner=user_ref(owner))


@router.get(
    "/leads/{user_id}",
    summary="A user's leads (owned or created), newest activity first",
    responses=errors(403, 404),
)
def list_leads(user_id: UserId, query: Annotated[LeadsQuery, Query()], actor: Actor, db: Db) -> LeadPage:
    """A user's leads (owned or created), newest activity first; filters status and q; limit + cursor.

    Owned and created-by-but-owned-by-others leads are two keyset branches of one UNION ALL, each walking its
    own index ((owner_id, last_activity_at) and (creator_id, owner_id)) and stopping at limit + 1 rows; an OR
    over both columns would sort every lead of the user for each page. No total count (it would scan them all).
    """
    session = db
    target = visible_user(actor, session.get(User, user_id))
    # Every lead owned or created by a visible user is in the caller's scope; the scope only matters (and is only
    # added) for a leader reading a member's leads. An OR on the caller's own id would spoil the index plans.
    conditions: list[ColumnElement[bool]] = [] if actor.id == target.id or is_admin(actor) else [lead_scope(actor)]
    if query.status:
        conditions.append(Lead.status == query.status)
    if query.q:
        needle = query.q.lower()
        conditions.append(
            or_(
                sqlf.lower(Lead.company).contains(needle, autoescape=True),
                sqlf.lower(Lead.contact_name).contains(needle, autoescape=True),
                Lead.phone.contains(needle, autoescape=True),
                sqlf.lower(Lead.email).contains(needle, autoescape=True),
            )
        )
    if query.cursor:
        at, last_id = cursors.decode(query.cursor, datetime, int)
        bound = tuple_(type_coerce(at, UTCDateTime()), last_id)
        conditions.append(tuple_(Lead.last_activity_at, Lead.id) < bound)  # a range seek on the index
    whose = (
        Lead.owner_id == target.id,
        and_(Lead.creator_id == target.id, Lead.owner_id < target.id),
        and_(Lead.creator_id == target.id, Lead.owner_id > target.id),
    )
    newest = (Lead.last_activity_at.desc(), Lead.id.desc())
    branches = [
        select(Lead.id, Lead.last_activity_at).where(who, *conditions).order_by(*newest).limit(query.limit + 1)
        for who in whose
    ]
    merged = union_all(*(select(*b.subquery().c) for b in branches)).subquery()
    top = (
        select(merged.c.id, merged.c.last_activity_at)
        .order_by(merged.c.last_activity_at.desc(), merged.c.id.desc())
        .limit(query.limit + 1)
        .subquery()
    )
    stmt = (
        select(Lead, User)
        .join(top, top.c.id == Lead.id)
        .join(User, User.id == Lead.owner_id)
        .order_by(top.c.last_activity_at.desc(), top.c.id.desc())
    )
    rows = session.execute(stmt).all()
    page = rows[: query.limit]
    next_cursor = None
    if len(rows) > query.limit:
        last = page[-1][0]
        next_cursor = cursors.encode(last.last_activity_at, last.id)
    return LeadPage(items=[lead_out(lead, owner) for lead, owner in page], next_cursor=next_cursor)


@router.get("/activities/{lead_id}", summary="A lead's activities, oldest first", responses=errors(404))
def list_activities(lead_id: LeadId, query: Annotated[PageQuery, Query()], actor: Actor, db: Db) -> ActivityPage:
    """A lead's activities, oldest first, with their actors; limit + cursor."""
    session = db
    lead = visible_lead(session, actor, lead_id)
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
    return ActivityPage(items=items, next_cursor=next_cursor)
