"""Who may see what: one policy for every API route (object-level checks and SQL scopes).

- admin: everything;
- leader: their team — users whose leader is them or who share their team — and those users' leads;
- member: themselves and the leads they own or created.

Leads outside the caller's scope answer 404 (their existence must not leak); users outside it answer 403
for non-admins whether or not they exist.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true
from sqlalchemy.orm import Session

from crm_core.api.http import ApiError, forbidden, not_found
from crm_core.db.models import Lead, Role, User


def is_admin(actor: User) -> bool:
    """Whether the user sees everything."""
    return actor.role == Role.ADMIN


def team_ids(actor: User) -> Select[int]:
    """A subquery of the ids of users in a leader's team (the leader included)."""
    same_team = and_(User.team == actor.team, User.team.is_not(None)) if actor.team else false()
    return select(User.id).where(or_(User.id == actor.id, User.leader_id == actor.id, same_team))


def user_scope(actor: User) -> ColumnElement[bool]:
    """SQL condition on User: the users the actor may see."""
    if is_admin(actor):
        return true()
    if actor.role == Role.LEADER:
        return User.id.in_(team_ids(actor))
    return User.id == actor.id


def lead_scope(actor: User) -> ColumnElement[bool]:
    """SQL condition on Lead: the leads the actor may see (owner or creator in scope)."""
    if is_admin(actor):
        return true()
    if actor.role == Role.LEADER:
        ids = team_ids(actor)
        return or_(Lead.owner_id.in_(ids), Lead.creator_id.in_(ids))
    return or_(Lead.owner_id == actor.id, Lead.creator_id == actor.id)


def can_see_user(session: Session, actor: User, target: User) -> bool:
    """Whether the actor may read the target user's leads and tasks."""
    if is_admin(actor) or actor.id == target.id:
        return True
    if actor.role != Role.LEADER:
        return False
    return bool(session.scalar(select(User.id).where(User.id == target.id, User.id.in_(team_ids(actor)))))


def visible_user(session: Session, actor: User, target: User | None) -> User:
    """The target user if the actor may see them: 404 for an admin asking about nobody, else 403."""
    if target is not None and can_see_user(session, actor, target):
        return target
    if target is None and is_admin(actor):
        raise not_found("user")
    raise forbidden("you may only see your own data" + (" and your team's" if actor.role == Role.LEADER else ""))


def visible_lead(session: Session, actor: User, lead_id: int) -> Lead:
    """The lead if it exists and the actor may see it; 404 otherwise (no existence leak)."""
    lead = session.scalar(select(Lead).where(Lead.id == lead_id, lead_scope(actor)))
    if lead is None:
        raise not_found("lead")
    return lead


def check_register(actor: User, role: str, leader: str | None) -> None:
    """Whether the actor may create a user with this role and leader; 403 otherwise."""
    if is_admin(actor):
        return
    if actor.role != Role.LEADER:
        raise forbidden("only admins and team leaders can add users")
    if role != Role.MEMBER:
        raise forbidden("team leaders can only add members")
    if leader is not None and leader.strip().lower() != actor.username.lower():
        raise forbidden("team leaders can only add members to their own team")


def require_role(actor: User, *roles: str) -> None:
    """403 unless the actor has one of the roles."""
    if actor.role not in roles:
        raise ApiError(403, "forbidden", f"this needs the role {' or '.join(roles)}")
