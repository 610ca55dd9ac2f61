"""Who may see and do what: the one answer for every door (WhatsApp handlers, the REST API, the web app).

Roles
- **admin**: every user and every lead; the organisation's Message Master and every team's.
- **leader**: their team and the team's leads; their team's Message Master (they may read the organisation's).
- **member**: themselves and the leads they own or created.

**A leader's team** is the leader and the users whose `leader_id` is that leader: one level, by foreign key.
This is the only definition, for WhatsApp and the API alike. `users.team` is a display label and grants nothing:
a label shared with an admin or with another leader must not merge their scopes (it used to, in the API only, so
a leader could read the admin's leads there while WhatsApp refused them). Because every user has at most one
leader, teams never overlap. A member's team (for assigning work and for Message Master) is their leader's.

**A lead is in a user's scope** when its owner or its creator is: the user themselves, anyone in their team for a
leader, anyone for an admin. Seeing and acting are the same set: whatever a user can read through the API they can
change on WhatsApp, and nothing else.

**Out of scope is "not found".** A company lookup, a lead id, an API route answer exactly as if the lead did not
exist: no company, owner or status is named (WhatsApp says it found no such lead; the API answers 404). The one
deliberate exception is the duplicate guard on a new lead, which looks at the whole organisation so that the same
client is not taken twice: a duplicate outside the sender's scope is refused with one fixed sentence ("a lead with
this phone already exists — ask your leader") that names nothing (crm_core.handlers.leads).

**Assigning** (a new lead's owner, a reassignment, a meeting's assignee): admins may name anyone; leaders and
members someone in their own team (themselves included). Work never crosses a team boundary unless an admin
moves it.

**Message Master** steps belong to a team (`team_leader_id`) or to the organisation (NULL). Leaders create,
change and delete their own team's steps and may read the organisation's; admins do everything; members nothing.
Deleting a step cancels only the pending follow-ups the deleting user is responsible for: those addressed to
their team (all, for an admin) — never another team's.

Everything here is either a pure check on loaded rows or a SQL condition composed into the caller's query, so
applying a scope costs no extra round trip (the team is a subquery, not a list fetched first).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, case, false, or_, select, true
from sqlalchemy.orm import Session

from crm_core.db.models import Lead, MessageTemplate, Outbox, Role, User


def is_admin(user: User) -> bool:
    """Whether the user sees and may do everything."""
    return user.role == Role.ADMIN


def is_leader(user: User) -> bool:
    """Whether the user leads a team."""
    return user.role == Role.LEADER


def team_ids(leader_id: int) -> Select[int]:
    """A subquery of a leader's team: the leader and the users whose leader they are."""
    return select(User.id).where(or_(User.id == leader_id, User.leader_id == leader_id))


def team_of(user: User) -> int | None:
    """The team a user belongs to, named by its leader's id: a leader's own; a member's leader's; else None."""
    return user.id if is_leader(user) else user.leader_id


# --- users -------------------------------------------------------------------------------------------------------


def can_see_user(actor: User, target: User) -> bool:
    """Whether the actor may see the target's leads and tasks: admins anyone, leaders their team, others themselves."""
    if is_admin(actor) or actor.id == target.id:
        return True
    return is_leader(actor) and target.leader_id == actor.id


def user_scope(user: User, column: Any = User.id) -> ColumnElement[bool]:
    """SQL condition on a user id column (an assignee, a recipient, an owner): the users whose work the user may
    see — everyone for an admin, the team for a leader, themselves for a member (the same rule as can_see_user)."""
    if is_admin(user):
        return true()
    if is_leader(user):
        return column.in_(team_ids(user.id))
    return column == user.id


def may_assign(actor: User, target: User) -> bool:
    """Whether the actor may give work (a lead, a meeting) to the target: admins anyone, others their own team."""
    if is_admin(actor) or actor.id == target.id:
        return True
    team = team_of(actor)
    return team is not None and (target.id == team or target.leader_id == team)


# --- leads -------------------------------------------------------------------------------------------------------


def lead_scope(user: User, owner: Any = Lead.owner_id, creator: Any = Lead.creator_id) -> ColumnElement[bool]:
    """SQL condition on Lead: the leads the user may see and act on.

    `owner`/`creator` may be expressions of the columns (matching passes `owner_id + 0` to steer SQLite's planner).
    """
    if is_admin(user):
        return true()
    if is_leader(user):
        team = team_ids(user.id)
        return or_(owner.in_(team), creator.in_(team))
    return or_(owner == user.id, creator == user.id)


def in_scope(user: User) -> ColumnElement[int]:
    """1 for a lead the user may see, else 0: a column for the few queries that must look past the scope and still
    tell the two apart (the duplicate guard, clash warnings). Portable: never CASE WHEN over a bare TRUE, which
    Azure SQL does not accept."""
    condition = Lead.id.is_not(None) if is_admin(user) else lead_scope(user)
    return case((condition, 1), else_=0)


def visible_leads(user: User) -> Select[Lead]:
    """A SELECT of the leads the user may see and act on."""
    return select(Lead).where(lead_scope(user))


def find_visible_lead(session: Session, user: User, lead_id: int) -> Lead | None:
    """The lead with this id if the user may see it; None when it is missing or out of scope (the same answer)."""
    return session.scalar(select(Lead).where(Lead.id == lead_id, lead_scope(user)))


# --- Message Master ----------------------------------------------------------------------------------------------


def step_scope(user: User) -> ColumnElement[bool]:
    """SQL condition on MessageTemplate: the steps the user may read (admins all; leaders the org's and own team's)."""
    if is_admin(user):
        return true()
    if is_leader(user):
        return or_(MessageTemplate.team_leader_id.is_(None), MessageTemplate.team_leader_id == user.id)
    return false()


def can_read_step(user: User, step: MessageTemplate) -> bool:
    """Whether the user may read a step (the same rule as step_scope)."""
    if is_admin(user):
        return True
    return is_leader(user) and step.team_leader_id in (None, user.id)


def can_edit_steps(user: User, team_leader_id: int | None) -> bool:
    """Whether the user may create, change or delete steps of a team's (or, with None, the organisation's) sequence."""
    if is_admin(user):
        return True
    return is_leader(user) and team_leader_id is not None and team_leader_id == user.id


def follow_up_scope(user: User) -> ColumnElement[bool]:
    """SQL condition on Outbox: the pending follow-ups the user answers for (those addressed to their team)."""
    if is_admin(user):
        return true()
    if is_leader(user):
        return Outbox.recipient_user_id.in_(team_ids(user.id))
    return Outbox.recipient_user_id == user.id
