"""The API's side of access: crm_core.access decides, this module answers in HTTP terms.

Leads outside the caller's scope answer 404 (their existence must not leak); users outside it answer 403 for
non-admins whether or not they exist. Registering users (which role, which team) is checked here too.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from crm_core.access import can_see_user, find_visible_lead, is_admin
from crm_core.api.errors import ApiError, forbidden, not_found
from crm_core.db.models import Lead, Role, User


def visible_user(actor: User, target: User | None) -> User:
    """The target user if the actor may see them: 404 for an admin asking about nobody, else 403."""
    if target is not None and can_see_user(actor, target):
        return target
    if target is None and is_admin(actor):
        raise not_found("user")
    raise forbidden("you may only see your own data" + (" and your team's" if actor.role == Role.LEADER else ""))


def visible_lead(session: Session, actor: User, lead_id: int) -> Lead:
    """The lead if it exists and the actor may see it; 404 otherwise (the same answer: no existence leak)."""
    lead = find_visible_lead(session, actor, lead_id)
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
