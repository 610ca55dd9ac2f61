"""`ApiRoute`: FastAPI's route with this API's rules for request bodies and a route's documented errors.

Bodies are JSON objects of at most 64 KB, read before FastAPI sees them: 413 when larger, 400 when empty,
malformed, not UTF-8 or holding NaN/Infinity; 422 when not an object or holding a NUL or a lone surrogate
(databases cannot store them). A route with a bearer token checks it first (401), so anonymous callers learn
nothing about the inputs. Validation errors become `validation_error` with the first bad field named;
`invalid_status` lets a router answer them 400 instead of 422 (Message Master keeps its 400s).

Each route documents its errors from what it uses (token → 401, role → 403, inputs → 422, body → 400/413, and
500/503 everywhere), added to the `responses=` its decorator names; see `document_errors`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from crm_core.api import deps
from crm_core.api.errors import ERROR_TEXT, ApiError, from_validation

MAX_BODY_BYTES = 64 * 1024
ERROR_REF = {"$ref": "#/components/schemas/ErrorResponse"}


class ApiRoute(APIRoute):
    """An API operation; see the module's docs."""

    invalid_status = 422

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        calls = set(_calls(self.dependant))
        self.needs_token = bool(calls & deps.TOKEN_CHECKS)
        self.has_role = bool(calls & deps.ROLE_CHECKS)
        self.has_inputs = self.body_field is not None or bool(_params(self.dependant))

    def error_statuses(self) -> list[int]:
        """Every error status this route can answer."""
        codes = {500, 503, *(int(c) for c in self.responses if str(c).isdigit() and int(c) >= 400)}
        if self.needs_token:
            codes.add(401)
        if self.has_role:
            codes.add(403)
        if self.has_inputs:
            codes.add(self.invalid_status)
        if self.body_field is not None:
            codes |= {400, 413}
        return sorted(codes)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """FastAPI's handler, behind the token pre-check and the body rules."""
        handler = super().get_route_handler()
        has_body = self.body_field is not None

        async def route(request: Request) -> Response:
            if self.needs_token:
                from crm_core.api.auth import read_token
                from crm_core.composition import get_container

                read_token(request.headers, get_container())
            if has_body:
                request = await checked_json(request, self.invalid_status)
            try:
                return await handler(request)
            except RequestValidationError as exc:
                raise from_validation(exc, self.invalid_status) from None

        return route


async def checked_json(request: Request, invalid_status: int = 422) -> Request:
    """The request again, its body checked to be a JSON object within the limits and labelled as JSON."""
    length = request.headers.get("content-length", "").strip()
    if length.isdigit() and int(length) > MAX_BODY_BYTES:
        raise _too_large()
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise _too_large()
    if not raw.strip():
        raise ApiError(400, "empty_body", "the request needs a JSON body")
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ApiError(400, "malformed_json", "the body is not valid JSON (UTF-8)") from None
    if not isinstance(data, dict):
        raise ApiError(invalid_status, "validation_error", "the body must be a JSON object")
    problem = string_problem(data, "body")
    if problem:
        raise ApiError(invalid_status, "validation_error", problem)
    scope = dict(request.scope)
    headers = [(k, v) for k, v in scope["headers"] if k.lower() not in (b"content-type", b"content-length")]
    scope["headers"] = [*headers, (b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": raw, "more_body": False}

    return Request(scope, receive)


def string_problem(value: Any, where: str, depth: int = 0) -> str | None:
    """What is wrong with the strings in a JSON value (a NUL, a lone surrogate, nesting too deep), or None."""
    if depth > 32:
        return f"{where} is nested too deeply"
    if isinstance(value, str):
        if "\x00" in value:
            return f"{where} contains a NUL character"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return f"{where} contains an invalid character"
    elif isinstance(value, dict):
        for k, v in value.items():
            problem = string_problem(k, where, depth + 1) or string_problem(v, f"{where}.{k}", depth + 1)
            if problem:
                return problem
    elif isinstance(value, list):
        for item in value:
            problem = string_problem(item, where, depth + 1)
            if problem:
                return problem
    return None


def document_errors(document: dict[str, Any], routes: list[Any]) -> None:
    """Put every route's error statuses, each `ErrorResponse`, into an OpenAPI document built by FastAPI."""
    for route in routes:
        if not isinstance(route, ApiRoute) or not route.include_in_schema:
            continue
        item = document.get("paths", {}).get(route.path_format, {})
        for method in route.methods or ():
            op = item.get(method.lower())
            if op is None:
                continue
            responses = op.setdefault("responses", {})
            if 422 not in route.error_statuses():
                responses.pop("422", None)  # FastAPI's default, for routes that answer bad input otherwise
            for code in route.error_statuses():
                responses[str(code)] = {
                    "description": ERROR_TEXT.get(code, "Error"),
                    "content": {"application/json": {"schema": ERROR_REF}},
                }
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    if "ErrorResponse" not in schemas:
        from crm_core.api.schemas import ErrorResponse

        schema = ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas["ErrorResponse"] = schema
    text = json.dumps(document.get("paths", {}))
    for unused in ("HTTPValidationError", "ValidationError"):
        if f"/{unused}" not in text:
            schemas.pop(unused, None)


def _too_large() -> ApiError:
    return ApiError(413, "payload_too_large", f"the body is larger than {MAX_BODY_BYTES // 1024} KB")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _calls(dependant: Dependant) -> list[Any]:
    found = [dependant.call]
    for sub in dependant.dependencies:
        found.extend(_calls(sub))
    return found


def _params(dependant: Dependant) -> list[Any]:
    found = [*dependant.path_params, *dependant.query_params, *dependant.header_params]
    for sub in dependant.dependencies:
        found.extend(_params(sub))
    return found
