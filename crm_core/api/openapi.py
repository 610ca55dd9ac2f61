"""The OpenAPI 3.1 document, generated from the route table and the pydantic models (no hand-written schemas)."""

from __future__ import annotations

import functools
import json
import re
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, RootModel
from pydantic.json_schema import models_json_schema

from crm_core.api.http import Reply, RequestContext
from crm_core.api.schemas import ErrorResponse

if TYPE_CHECKING:
    from crm_core.api.http import Route

REF = "#/components/schemas/{model}"
# Other API modules whose `ROUTES` tables are served by their own triggers but documented here too.
EXTRA_ROUTE_MODULES = ("crm_core.api.message_master",)
ERROR_TEXT = {
    400: "Malformed request (empty body, invalid JSON)",
    401: "Missing, invalid, expired or revoked token; wrong credentials",
    403: "Not allowed for this user",
    404: "Not found (or not visible to this user)",
    409: "Conflict with an existing object",
    413: "Body or field too large",
    422: "Invalid path, query or body field",
    429: "Too many failed logins, too many attempts from this address or instance, or busy (see Retry-After)",
    500: "Server error or missing configuration",
    503: "Database unavailable; retry later",
}


class OpenApiDocument(RootModel[dict[str, Any]]):
    """An OpenAPI 3.1 document."""


def openapi_handler(ctx: RequestContext) -> Reply:
    """Serve the document."""
    return Reply(OpenApiDocument(document()))


@functools.lru_cache(maxsize=1)
def document_json() -> str:
    """The document as JSON text (built once per process)."""
    return json.dumps(build())


def document() -> dict[str, Any]:
    """The document as a dict (a fresh copy)."""
    result: dict[str, Any] = json.loads(document_json())
    return result


def build() -> dict[str, Any]:
    """Build the OpenAPI 3.1 document from the route table."""
    routes = all_routes()
    models: list[tuple[type[BaseModel], Literal["validation", "serialization"]]] = [(ErrorResponse, "serialization")]
    for r in routes:
        models.append((r.response, "serialization"))
        if r.body_model is not None:
            models.append((r.body_model, "validation"))
    refs, defs = models_json_schema(models, ref_template=REF)
    schemas = defs.get("$defs", {})
    paths: dict[str, dict[str, Any]] = {}
    for r in routes:
        op = _operation(r, refs)
        paths.setdefault(r.path, {})[r.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "WhatsApp sales CRM API",
            "version": "1.0.0",
            "description": "The frontend's API: log in for a bearer token, then read leads, tasks, history and the "
            'pipeline, and send commands as the logged-in user. Every error is {"error": {"code", "message"}}.',
        },
        "servers": [{"url": "/api"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


def all_routes() -> list[Route]:
    """This package's route table plus the tables other API modules declare (e.g. Message Master)."""
    import importlib

    from crm_core.api.table import ROUTES

    routes = list(ROUTES.values())
    for module_name in EXTRA_ROUTE_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        routes.extend(getattr(module, "ROUTES", {}).values())
    return routes


def _operation(r: Route, refs: dict[Any, dict[str, Any]]) -> dict[str, Any]:
    op: dict[str, Any] = {"operationId": r.name, "summary": r.summary, "tags": [r.tag]}
    if r.description:
        op["description"] = r.description
    params = _params(r.path_model, "path") + _params(r.query_model, "query")
    declared = {p["name"] for p in params if p["in"] == "path"}
    for name in re.findall(r"\{(\w+)\}", r.path):
        if name not in declared:  # a route without a path model: its id is a positive number
            params.append({"name": name, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}})
    if params:
        op["parameters"] = params
    if r.body_model is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(r.body_model, "validation")]}},
        }
    op["security"] = [{"bearerAuth": []}] if r.auth else []
    success = refs[(r.response, "serialization")]
    if r.response is OpenApiDocument:
        success = {"type": "object"}
    responses: dict[str, Any] = {
        str(r.status): {"description": "Success", "content": {"application/json": {"schema": success}}}
    }
    error_ref = refs[(ErrorResponse, "serialization")]
    for code in r.error_statuses():
        responses[str(code)] = {
            "description": ERROR_TEXT.get(code, "Error"),
            "content": {"application/json": {"schema": error_ref}},
        }
    op["responses"] = responses
    return op


def _params(model: type[BaseModel] | None, where: str) -> list[dict[str, Any]]:
    if model is None:
        return []
    schema = model.model_json_schema(by_alias=True, ref_template=REF)
    required = set(schema.get("required", ()))
    out = []
    for name, prop in schema.get("properties", {}).items():
        prop = _without_null(prop)
        description = prop.pop("description", None)
        prop.pop("title", None)
        param: dict[str, Any] = {
            "name": name,
            "in": where,
            "required": where == "path" or name in required,
            "schema": prop,
        }
        if description:
            param["description"] = description
        out.append(param)
    return out


def _without_null(prop: dict[str, Any]) -> dict[str, Any]:
    """Query parameters are never null: drop the null branch pydantic adds for optional fields."""
    prop = dict(prop)
    options = prop.pop("anyOf", None)
    if options:
        non_null = [o for o in options if o.get("type") != "null"]
        if len(non_null) == 1:
            prop.update(non_null[0])
        else:
            prop["anyOf"] = non_null
    if prop.get("default", 0) is None:
        prop.pop("default")
    return prop
