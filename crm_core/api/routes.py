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
