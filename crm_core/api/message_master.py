"""The Message Master API for admins and leaders: list, create, read, change and delete nurture steps.

Served through the shared envelope (crm_core.api.http.serve: bearer token, role check, transaction, JSON errors).
A bad field answers 400 `validation_error` naming it; an unknown step 404; a member 403.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import azure.functions as func
from pydantic import BaseModel

from crm_core.api.http import ApiError, Reply, RequestContext, Route, read_json, serve

ROLES = ("admin", "leader")


class StepOut(BaseModel):
    """One Message Master step."""

    id: int
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


def list_steps(ctx: RequestContext) -> Reply:
    """GET /api/message-master[?sequence=post_demo]: every step in send order."""
    from crm_core.nurture import templates

    sequence = (ctx.req.params or {}).get("sequence") or None
    try:
        name = templates.check_sequence(sequence) if sequence else None
    except templates.TemplateError as exc:
        raise _bad(exc) from None
    return Reply(StepList(items=[_out(r) for r in templates.list_steps(ctx.db, name)]))


def create_step(ctx: RequestContext) -> Reply:
    """POST /api/message-master: add a step at the end of its sequence."""
    from crm_core.nurture import templates

    body = read_json(ctx.req)
    try:
        row = templates.create_step(ctx.db, body, ctx.now())
    except templates.TemplateError as exc:
        raise _bad(exc) from None
    return Reply(_out(row), status=201)


def get_step(ctx: RequestContext) -> Reply:
    """GET /api/message-master/{template_id}."""
    from crm_core.nurture import templates

    try:
        return Reply(_out(templates.get_step(ctx.db, _template_id(ctx))))
    except templates.TemplateError as exc:
        raise _bad(exc) from None


def update_step(ctx: RequestContext) -> Reply:
    """PUT /api/message-master/{template_id}: change any fields (the others stay)."""
    from crm_core.nurture import templates

    template_id = _template_id(ctx)
    body = read_json(ctx.req)
    try:
        row = templates.update_step(ctx.db, template_id, body, ctx.now())
    except templates.TemplateError as exc:
        raise _bad(exc) from None
    return Reply(_out(row))


def delete_step(ctx: RequestContext) -> Reply:
    """DELETE /api/message-master/{template_id}: remove a step and cancel its pending reminders."""
    from crm_core.nurture import templates

    template_id = _template_id(ctx)
    try:
        cancelled = templates.delete_step(ctx.db, template_id, ctx.now())
    except templates.TemplateError as exc:
        raise _bad(exc) from None
    return Reply(StepDeleted(id=template_id, cancelled_reminders=cancelled))


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
            "Add a Message Master step",
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
