"""Entry points of the API triggers: each serves one route of the table (crm_core.api.table)."""

from __future__ import annotations

import azure.functions as func

from crm_core.api.http import serve
from crm_core.api.table import ROUTES


def register(req: func.HttpRequest) -> func.HttpResponse:
    """POST /api/register."""
    return serve(ROUTES["register_user"], req)


def login(req: func.HttpRequest) -> func.HttpResponse:
    """POST /api/login."""
    return serve(ROUTES["login"], req)


def logout(req: func.HttpRequest) -> func.HttpResponse:
    """POST /api/logout."""
    return serve(ROUTES["logout"], req)


def own_password(req: func.HttpRequest) -> func.HttpResponse:
    """POST /api/users/me/password."""
    return serve(ROUTES["change_own_password"], req)


def user_password(req: func.HttpRequest) -> func.HttpResponse:
    """POST /api/users/{user_id}/password (admin); `me` here too, should a host prefer the parameter route."""
    own = str((req.route_params or {}).get("user_id", "")).lower() == "me"
    return serve(ROUTES["change_own_password" if own else "set_user_password"], req)


def user_unlock(req: func.HttpRequest) -> func.HttpResponse:
    """POST /api/users/{user_id}/unlock."""
    return serve(ROUTES["unlock_user"], req)


def user_deactivate(req: func.HttpRequest) -> func.HttpResponse:
    """POST /api/users/{user_id}/deactivate."""
    return serve(ROUTES["deactivate_user"], req)


def user_activate(req: func.HttpRequest) -> func.HttpResponse:
    """POST /api/users/{user_id}/activate."""
    return serve(ROUTES["activate_user"], req)


def me(req: func.HttpRequest) -> func.HttpResponse:
    """GET /api/users/me."""
    return serve(ROUTES["get_me"], req)


def leads(req: func.HttpRequest) -> func.HttpResponse:
    """GET /api/leads/{user_id}."""
    return serve(ROUTES["list_leads"], req)


def tasks(req: func.HttpRequest) -> func.HttpResponse:
    """GET /api/tasks/{username}."""
    return serve(ROUTES["list_tasks"], req)


def activities(req: func.HttpRequest) -> func.HttpResponse:
    """GET /api/activities/{lead_id}."""
    return serve(ROUTES["list_activities"], req)


def history(req: func.HttpRequest) -> func.HttpResponse:
    """GET /api/history/{lead_id}."""
    return serve(ROUTES["lead_history"], req)


def pipeline(req: func.HttpRequest) -> func.HttpResponse:
    """GET /api/pipeline."""
    return serve(ROUTES["pipeline"], req)


def dead_outbox(req: func.HttpRequest) -> func.HttpResponse:
    """GET /api/outbox/dead."""
    return serve(ROUTES["list_dead_outbox"], req)


def openapi(req: func.HttpRequest) -> func.HttpResponse:
    """GET /api/openapi.json."""
    return serve(ROUTES["openapi"], req)
