"""The REST API as one FastAPI app: every route declared once, with its models; this module assembles them.

The API is mounted at `/api` (the Functions route prefix): Starlette's `Mount` gives it that `root_path`, so its
routes and its document name paths without it (`/leads/{user_id}`, server `/api`). The OpenAPI 3.1 document is at
`/api/openapi.json`, Swagger UI at `/api/docs`. In Azure the app runs behind `func.AsgiFunctionApp`
(function_app.py), imported on the first HTTP request (crm_core.triggers.http_api); the local host calls it
directly (crm_core.localhost). Route modules each hold an `APIRouter`; add a route there, or a module to ROUTERS.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.routing import Mount

from crm_core.api import errors
from crm_core.api.middleware import Cors, Envelope, route_methods
from crm_core.api.routing import ApiRoute, document_errors

PREFIX = "/api"
# Route modules, each with a `router`; their order is the document's (literal paths before parameters).
ROUTERS = (
    "crm_core.api.users",
    "crm_core.api.leads",
    "crm_core.api.tasks",
    "crm_core.api.history",
    "crm_core.api.pipeline",
    "crm_core.api.outbox_admin",
    "crm_core.api.app_inbox",
    "crm_core.api.message_master",
)
DESCRIPTION = (
    "The frontend's API: log in for a bearer token, then read leads, tasks, history and the pipeline, manage "
    'Message Master, and send commands as the logged-in user. Every error is {"error": {"code", "message"}}.'
)


def create_app() -> Starlette:
    """The API mounted at /api: what the Functions host and the local host serve."""
    return Starlette(routes=[Mount(PREFIX, app=create_api())])


def create_api() -> FastAPI:
    """A new API with every route, the error shape, CORS and the OpenAPI document."""
    app = FastAPI(
        title="WhatsApp sales CRM API",
        version="1.0.0",
        description=DESCRIPTION,
        servers=[{"url": PREFIX}],
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        generate_unique_id_function=lambda route: route.name,  # operationId: the route function's name
    )
    routes = api_routes()  # as declared (FastAPI may keep included routers nested in app.routes)
    for name in ROUTERS:
        app.include_router(importlib.import_module(name).router)
    errors.install(app)
    app.add_middleware(Envelope)
    app.add_middleware(Cors, origins=_allowed_origins, methods=route_methods(routes))

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            document = get_openapi(
                title=app.title,
                version=app.version,
                openapi_version=app.openapi_version,
                description=app.description,
                routes=app.routes,
                servers=app.servers,
            )
            document_errors(document, routes)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def api_routes() -> list[ApiRoute]:
    """Every API operation, in declaration order (paths without the /api prefix)."""
    found: list[ApiRoute] = []
    for name in ROUTERS:
        found += [r for r in importlib.import_module(name).router.routes if isinstance(r, ApiRoute)]
    return found


@functools.lru_cache(maxsize=1)
def get_app() -> Starlette:
    """The process's app (built once)."""
    return create_app()


def document() -> dict[str, Any]:
    """The OpenAPI document (`python -m crm_core openapi`)."""
    return create_api().openapi()


def _allowed_origins() -> list[str]:
    from crm_core.composition import get_container
    from crm_core.settings import ConfigError

    try:
        return get_container().settings.cors_origin_list
    except ConfigError:
        return []
