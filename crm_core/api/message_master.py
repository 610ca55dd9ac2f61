"""The Message Master API for admins and leaders: list, create, read, change and delete nurture steps.

Served through the shared envelope (crm_core.api.http.serve: bearer token, role check, transaction, JSON errors).
Who may do what is crm_core.access: a step belongs to a team (`team_leader_id`) or to the organisation (null).
Leaders read the organisation's steps and their own team's, and change only their own team's (403 on the
organisation's); another team's steps answer 404, like steps that do not exist. Admins do everything. A new step
goes to the caller's own sequence unless `team_leader_id` says otherwise: a leader's team, an admin's the
organisation's. A bad field answers 400 `validation_error` naming it; a member 403.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import azure.functions as func
from pydantic import BaseModel

from crm_core.api.http import ApiError, Reply, RequestContext, Route, forbidden, read_json, serve

ROLES = ("admin", "leader")


class StepOut(BaseModel):
    """One Message Master step."""

    id: int
    team_leader_id: int | None = None  # the team's leader; null: the organisation's sequence
    sequence: str
    step: int
    day: int
    time: str
    text: str
    attachment_url: str | None = None
    filename: str | None = None
    mime: str | None = None
    active: bool
    created_at: str | None = None
    updated_at: str | None = None


class StepList(BaseModel):
    """Steps in send order."""

    items: list[StepOut]


class StepDeleted(BaseModel):
    """What a delete did."""

    id: int
    deleted: bool = True
    cancelled_reminders: int = 0


def _template_id(ctx: RequestContext) -> int:
    raw = str((ctx.req.route_params or {}).get("template_id", "")).strip()
    if not raw.isdigit() or not 0 < int(raw) <= 2_147_483_647:
        raise ApiError(404, "not_found", f"there is no Message Master step {raw!r}")
    return int(raw)


def _bad(exc: Exception) -> ApiError:
    from crm_core.nurture.templates import TemplateError

    if isinstance(exc, TemplateError) and exc.code == "not_found":
        return ApiError(404, "not_found", str(exc))
    return ApiError(400, "validation_error", str(exc))


def _out(row: Any) -> StepOut:
    from crm_core.nurture.templates import step_to_dict

    return StepOut(**step_to_dict(row))


TEAM_FIELD = "team_leader_id"


def _step(ctx: RequestContext, *, edit: bool) -> Any:
    """The step in the path if the actor may read it (404 otherwise, as for a missing one) and, with edit, change it."""
    from crm_core import access
    from crm_core.nurture import templates

    try:
        row = templates.get_step(ctx.db, _template_id(ctx))
    except templates.TemplateError as exc:
        raise _bad(exc) from None
    if not access.can_read_step(ctx.actor, row):
        raise ApiError(404, "not_found", f"there is no Message Master step {row.id}")
    if edit and not access.can_edit_steps(ctx.actor, row.team_leader_id):
        raise forbidden(_who_may_edit(row.team_leader_id))
    return row


def _who_may_edit(team_leader_id: int | None) -> str:
    if team_leader_id is None:
        return "only admins can change the organisation's Message Master"
    return "team leaders can only change their own team's Message Master"


def _team_of_new_step(ctx: RequestContext, body: dict[str, Any]) -> int | None:
    """The team a new step goes to (the caller's own unless named), checked against what the caller may edit."""
    from sqlalchemy import select

    from crm_core import access
    from crm_core.db.models import Role, User

    actor = ctx.actor
    if TEAM_FIELD not in body:
        return actor.id if access.is_leader(actor) else None
    team = body.pop(TEAM_FIELD)
    if team is not None and (isinstance(team, bool) or not isinstance(team, int)):
        raise ApiError(400, "validation_error", "team_leader_id must be a team leader's user id, or null")
    if not access.can_edit_steps(actor, team):
        raise forbidden(_who_may_edit(team))
    if team is not None and ctx.db.scalar(select(User.id).where(User.id == team, User.role == Role.LEADER)) is None:
        raise ApiError(400, "validation_error", f"user {team} is not a team leader")
    return team


def list_steps(ctx: RequestContext) -> Reply:
    """GET /api/message-master[?sequence=post_demo]: every step the caller may read, in send order."""
    from crm_core import access
    from crm_core.nurture import templates

    sequence = (ctx.req.params or {}).get("sequence") or None
    try:
        name = templates.check_sequence(sequence) if sequence else None
    except templates.TemplateError as exc:
        raise _bad(exc) from None
    rows = templates.list_steps(ctx.db, name, where=access.step_scope(ctx.actor))
    return Reply(StepList(items=[_out(r) for r in rows]))


def create_step(ctx: RequestContext) -> Reply:
    """POST /api/message-master: add a step at the end of its team's (or the organisation's) sequence."""
    from crm_core.nurture import templates

    body = read_json(ctx.req)
    team = _team_of_new_step(ctx, body)
    try:
        row = templates.create_step(ctx.db, body, ctx.now(), team_leader_id=team)
    except templates.TemplateError as exc:
        raise _bad(exc) from None
    return Reply(_out(row), status=201)


def get_step(ctx: RequestContext) -> Reply:
    """GET /api/message-master/{template_id}."""
    return Reply(_out(_step(ctx, edit=False)))


def update_step(ctx: RequestContext) -> Reply:
    """PUT /api/message-master/{template_id}: change any fields (the others stay; the team stays)."""
    from crm_core.nurture import templates

    row = _step(ctx, edit=True)
    body = read_json(ctx.req)
    if TEAM_FIELD in body and body.pop(TEAM_FIELD) != row.team_leader_id:
        raise ApiError(400, "validation_error", "a step stays in its sequence; add it to the other team's instead")
    try:
        row = templates.update_step(ctx.db, row.id, body, ctx.now())
    except templates.TemplateError as exc:
        raise _bad(exc) from None
    return Reply(_out(row))


def delete_step(ctx: RequestContext) -> Reply:
    """DELETE /api/message-master/{template_id}: remove a step and cancel the caller's team's pending reminders."""
    from crm_core import access
    from crm_core.nurture import templates

    row = _step(ctx, edit=True)
    cancelled = templates.delete_step(ctx.db, row.id, ctx.now(), follow_ups=access.follow_up_scope(ctx.actor))
    return Reply(StepDeleted(id=row.id, cancelled_reminders=cancelled))


_COMMON: dict[str, Any] = {"tag": "message-master", "roles": ROLES}
ROUTES: dict[str, Route] = {
    r.name: r
    for r in (
        Route(
            "list_message_master",
            "GET",
            "/message-master",
            "Message Master steps in send order",
            list_steps,
            StepList,
            errors=(400,),
            **_COMMON,
        ),
        Route(
            "create_message_master",
            "POST",
            "/message-master",
            "Add a Message Master step (to the caller's own sequence unless team_leader_id says otherwise)",
            create_step,
            StepOut,
            status=201,
            errors=(400, 413),
            **_COMMON,
        ),
        Route(
            "get_message_master",
            "GET",
            "/message-master/{template_id}",
            "One Message Master step",
            get_step,
            StepOut,
            errors=(404,),
            **_COMMON,
        ),
        Route(
            "update_message_master",
            "PUT",
            "/message-master/{template_id}",
            "Change a Message Master step",
            update_step,
            StepOut,
            errors=(400, 404, 413),
            **_COMMON,
        ),
        Route(
            "delete_message_master",
            "DELETE",
            "/message-master/{template_id}",
            "Delete a Message Master step (its pending reminders are cancelled)",
            delete_step,
            StepDeleted,
            errors=(404,),
            **_COMMON,
        ),
    )
}
_BY_METHOD = {
    "collection": {"GET": ROUTES["list_message_master"], "POST": ROUTES["create_message_master"]},
    "item": {
        "GET": ROUTES["get_message_master"],
        "PUT": ROUTES["update_message_master"],
        "DELETE": ROUTES["delete_message_master"],
    },
}


def handle(kind: str, req: func.HttpRequest) -> func.HttpResponse:
    """Serve /api/message-master (`collection`) or /api/message-master/{id} (`item`) by HTTP method."""
    routes = _BY_METHOD[kind]
    method = req.method.upper()
    if method == "OPTIONS":
        first = next(iter(routes.values()))
        return serve(dataclasses.replace(first, method=", ".join(routes)), req)
    route = routes.get(method)
    if route is None:
        allowed = ", ".join([*routes, "OPTIONS"])
        return serve(dataclasses.replace(next(iter(routes.values())), handler=_not_allowed(allowed)), req)
    return serve(route, req)


def _not_allowed(allowed: str) -> Any:
    def handler(ctx: RequestContext) -> Reply:
        raise ApiError(405, "method_not_allowed", f"use {allowed}", {"Allow": allowed})

    return handler
