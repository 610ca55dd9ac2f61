"""HTTP triggers for the frontend's REST API (accounts, leads, tasks, activities, history, pipeline).

OPTIONS is accepted on every route for CORS preflight (answered by crm_core.api.http.serve)."""

from __future__ import annotations

import azure.functions as func

bp = func.Blueprint()
ANON = func.AuthLevel.ANONYMOUS  # our own bearer tokens guard these routes


@bp.route(route="register", methods=["POST", "OPTIONS"], auth_level=ANON)
def register(req: func.HttpRequest) -> func.HttpResponse:
    """Create a user (admin or leader token)."""
    from crm_core.api import routes

    return routes.register(req)


@bp.route(route="login", methods=["POST", "OPTIONS"], auth_level=ANON)
def login(req: func.HttpRequest) -> func.HttpResponse:
    """Exchange username/phone and password for a token."""
    from crm_core.api import routes

    return routes.login(req)


@bp.route(route="logout", methods=["POST", "OPTIONS"], auth_level=ANON)
def logout(req: func.HttpRequest) -> func.HttpResponse:
    """End every session of the logged-in user."""
    from crm_core.api import routes

    return routes.logout(req)


@bp.route(route="users/me/password", methods=["POST", "OPTIONS"], auth_level=ANON)
def own_password(req: func.HttpRequest) -> func.HttpResponse:
    """Change one's own password (with the current one)."""
    from crm_core.api import routes

    return routes.own_password(req)


@bp.route(route="users/{user_id}/password", methods=["POST", "OPTIONS"], auth_level=ANON)
def user_password(req: func.HttpRequest) -> func.HttpResponse:
    """Set another user's password (admins). Literal routes win, so users/me/password is the function above."""
    from crm_core.api import routes

    return routes.user_password(req)


@bp.route(route="users/{user_id}/unlock", methods=["POST", "OPTIONS"], auth_level=ANON)
def user_unlock(req: func.HttpRequest) -> func.HttpResponse:
    """Clear a user's login lock (admins)."""
    from crm_core.api import routes

    return routes.user_unlock(req)


@bp.route(route="users/{user_id}/deactivate", methods=["POST", "OPTIONS"], auth_level=ANON)
def user_deactivate(req: func.HttpRequest) -> func.HttpResponse:
    """Deactivate a user (admins)."""
    from crm_core.api import routes

    return routes.user_deactivate(req)


@bp.route(route="users/{user_id}/activate", methods=["POST", "OPTIONS"], auth_level=ANON)
def user_activate(req: func.HttpRequest) -> func.HttpResponse:
    """Activate a user again (admins)."""
    from crm_core.api import routes

    return routes.user_activate(req)


@bp.route(route="users/me", methods=["GET", "OPTIONS"], auth_level=ANON)
def me(req: func.HttpRequest) -> func.HttpResponse:
    """The logged-in user."""
    from crm_core.api import routes

    return routes.me(req)


@bp.route(route="leads/{user_id}", methods=["GET", "OPTIONS"], auth_level=ANON)
def leads(req: func.HttpRequest) -> func.HttpResponse:
    """A user's leads, filtered and paginated."""
    from crm_core.api import routes

    return routes.leads(req)


@bp.route(route="tasks/{username}", methods=["GET", "OPTIONS"], auth_level=ANON)
def tasks(req: func.HttpRequest) -> func.HttpResponse:
    """A user's upcoming meetings, demos and follow-ups."""
    from crm_core.api import routes

    return routes.tasks(req)


@bp.route(route="activities/{lead_id}", methods=["GET", "OPTIONS"], auth_level=ANON)
def activities(req: func.HttpRequest) -> func.HttpResponse:
    """A lead's activities."""
    from crm_core.api import routes

    return routes.activities(req)


@bp.route(route="history/{lead_id}", methods=["GET", "OPTIONS"], auth_level=ANON)
def history(req: func.HttpRequest) -> func.HttpResponse:
    """Everything about a lead, in time order."""
    from crm_core.api import routes

    return routes.history(req)


@bp.route(route="pipeline", methods=["GET", "OPTIONS"], auth_level=ANON)
def pipeline(req: func.HttpRequest) -> func.HttpResponse:
    """The management view for leaders and admins."""
    from crm_core.api import routes

    return routes.pipeline(req)


@bp.route(route="openapi.json", methods=["GET", "OPTIONS"], auth_level=ANON)
def openapi(req: func.HttpRequest) -> func.HttpResponse:
    """The OpenAPI 3.1 document, generated from the pydantic models."""
    from crm_core.api import routes

    return routes.openapi(req)


@bp.route(route="outbox/dead", methods=["GET", "OPTIONS"], auth_level=ANON)
def dead_outbox(req: func.HttpRequest) -> func.HttpResponse:
    """Outgoing messages that gave up after their retries (admins)."""
    from crm_core.api import routes

    return routes.dead_outbox(req)
