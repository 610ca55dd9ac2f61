"""The HTTP envelope around every API route: parsing, auth, errors, CORS and JSON answers.

`serve(route, req)` is what each Functions trigger ends up calling. Every failure becomes
`{"error": {"code", "message"}}` with the right status; nothing a client sends can cause a 5xx.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import azure.functions as func
from pydantic import BaseModel, ValidationError

from crm_core.api.schemas import ErrorBody, ErrorResponse
from crm_core.settings import ConfigError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from crm_core.composition import Container
    from crm_core.db.models import User

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)
MAX_BODY_BYTES = 64 * 1024
JSON_TYPE = "application/json"
CORS_ALLOW_HEADERS = "Authorization, Content-Type"
CORS_MAX_AGE = "600"


class ApiError(Exception):
    """An error answer: HTTP status, stable code, message, optional extra headers."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def not_found(what: str = "resource") -> ApiError:
    """404 with a message that reveals nothing about why."""
    return ApiError(404, "not_found", f"{what} not found")


def forbidden(message: str) -> ApiError:
    """403 for a known object the caller may not act on."""
    return ApiError(403, "forbidden", message)


@dataclass(frozen=True)
class Reply:
    """A handler's success answer."""

    model: BaseModel
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class RequestContext:
    """What a handler gets: the request, the container, the parsed inputs, the user and the open session."""

    req: func.HttpRequest
    container: Container
    path: Any = None
    query: Any = None
    body: Any = None
    user: User | None = None
    session: Session | None = None

    def now(self) -> datetime:
        """The app clock's current moment (UTC)."""
        return self.container.clock.now()

    @property
    def db(self) -> Session:
        """The open session (routes with `transaction=True`; others open short transactions themselves)."""
        assert self.session is not None, "this route runs without a transaction"
        return self.session

    @property
    def actor(self) -> User:
        """The authenticated user (routes with `auth=True`)."""
        assert self.user is not None, "this route is not authenticated"
        return self.user


Handler = Callable[[RequestContext], Reply]


@dataclass(frozen=True)
class Route:
    """One operation, declared once: it serves requests and generates its OpenAPI entry."""

    name: str
    method: str
    path: str
    summary: str
    handler: Handler
    response: type[BaseModel]
    status: int = 200
    tag: str = "leads"
    auth: bool = True
    roles: tuple[str, ...] = ()
    path_model: type[BaseModel] | None = None
    query_model: type[BaseModel] | None = None
    body_model: type[BaseModel] | None = None
    transaction: bool = True  # False: the handler opens its own short transactions (e.g. to hash outside them)
    errors: tuple[int, ...] = ()
    description: str = ""

    def error_statuses(self) -> tuple[int, ...]:
        """Every error status this route can answer (documented in OpenAPI)."""
        codes = set(self.errors) | {500, 503}
        if self.auth:
            codes |= {401}
        if self.roles:
            codes |= {403}
        if self.path_model or self.query_model or self.body_model:
            codes |= {422}
        if self.body_model:
            codes |= {400, 413}
        return tuple(sorted(codes))


def json_response(status: int, payload: str, headers: dict[str, str] | None = None) -> func.HttpResponse:
    """A JSON answer."""
    return func.HttpResponse(
        body=payload, status_code=status, mimetype=JSON_TYPE, charset="utf-8", headers=dict(headers or {})
    )


def error_response(err: ApiError) -> func.HttpResponse:
    """The JSON form of an ApiError."""
    payload = ErrorResponse(error=ErrorBody(code=err.code, message=err.message)).model_dump_json()
    return json_response(err.status, payload, err.headers)


def serve(route: Route, req: func.HttpRequest) -> func.HttpResponse:
    """Run one route for one request: CORS, parsing, auth, transaction, handler, JSON; never a bare 5xx."""
    if req.method.upper() == "OPTIONS":
        return _with_cors(req, route, func.HttpResponse(status_code=204), preflight=True)
    try:
        if req.method.upper() == "GET":
            # Reads are safe to repeat: ride out a brief outage (Azure SQL serverless resume, failover) in-process.
            from crm_core.db.engine import with_retry

            response = with_retry(lambda: _serve(route, req), attempts=3)
        else:
            response = _serve(route, req)
    except ApiError as err:
        response = error_response(err)
    except ConfigError as exc:
        log.error("configuration error: %s", exc)
        response = error_response(ApiError(500, "config_error", str(exc)))
    except Exception as exc:
        response = _unexpected(route, exc)
    return _with_cors(req, route, response)


def _unexpected(route: Route, exc: Exception) -> func.HttpResponse:
    from crm_core.db.engine import is_transient

    if is_transient(exc):
        log.warning("%s: database unavailable: %s", route.name, exc)
        err = ApiError(503, "unavailable", "the database is busy or resuming; try again", {"Retry-After": "5"})
        return error_response(err)
    log.exception("%s failed", route.name)
    return error_response(ApiError(500, "internal_error", "something went wrong on our side"))


def _serve(route: Route, req: func.HttpRequest) -> func.HttpResponse:
    from crm_core.composition import get_container

    container = get_container()
    ctx = RequestContext(req=req, container=container)
    claims = None
    if route.auth:  # before any parsing: anonymous callers learn nothing about the inputs
        from crm_core.api.auth import read_token

        claims = read_token(req, container)
    with ExitStack() as stack:
        if route.transaction:
            ctx.session = stack.enter_context(container.database.transaction())
        if claims is not None:  # who, and may they use this route at all — before looking at the inputs
            if ctx.session is not None:
                ctx.user = _authorize(route, ctx.session, claims)
            else:  # a route that hashes passwords: the user is read in a short transaction of its own
                with container.database.transaction() as session:
                    ctx.user = _authorize(route, session, claims)
        if route.path_model is not None:
            ctx.path = validate(route.path_model, dict(req.route_params or {}), "path")
        if route.query_model is not None:
            ctx.query = validate(route.query_model, dict(req.params or {}), "query")
        if route.body_model is not None:
            ctx.body = validate(route.body_model, read_json(req), "body")
        reply = route.handler(ctx)
    return json_response(reply.status, reply.model.model_dump_json(by_alias=True), reply.headers)


def _authorize(route: Route, session: Session, claims: Any) -> User:
    """The token's user, allowed to use this route (401 revoked, 403 wrong role)."""
    from crm_core.api.auth import load_user

    user = load_user(session, claims)
    if route.roles and user.role not in route.roles:
        raise forbidden(f"this needs the role {' or '.join(route.roles)}")
    return user


def read_json(req: func.HttpRequest) -> Any:
    """The request body as JSON: 413 when over 64 KB, 400 when empty, not UTF-8, malformed or holding NULs."""
    length = req.headers.get("Content-Length")
    if length and length.strip().isdigit() and int(length) > MAX_BODY_BYTES:
        raise ApiError(413, "payload_too_large", f"the body is larger than {MAX_BODY_BYTES // 1024} KB")
    raw = req.get_body() or b""
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError(413, "payload_too_large", f"the body is larger than {MAX_BODY_BYTES // 1024} KB")
    if not raw.strip():
        raise ApiError(400, "empty_body", "the request needs a JSON body")
    try:
        text = raw.decode("utf-8")
        data = json.loads(text, parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ApiError(400, "malformed_json", "the body is not valid JSON (UTF-8)") from None
    if not isinstance(data, dict):
        raise ApiError(422, "validation_error", "the body must be a JSON object")
    _check_strings(data, "body")
    return data


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _check_strings(value: Any, where: str, depth: int = 0) -> None:
    """Refuse NUL characters and lone surrogates anywhere (databases cannot store them)."""
    if depth > 32:
        raise ApiError(422, "validation_error", f"{where} is nested too deeply")
    if isinstance(value, str):
        if "\x00" in value:
            raise ApiError(422, "validation_error", f"{where} contains a NUL character")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ApiError(422, "validation_error", f"{where} contains an invalid character") from None
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_strings(k, where, depth + 1)
            _check_strings(v, f"{where}.{k}", depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_strings(item, where, depth + 1)


def validate(model: type[M], data: dict[str, Any], where: str) -> M:
    """Validate input against a model; 422 naming the first bad field."""
    _check_strings(data, where)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        if where == "body" and first.get("type") == "string_too_long":
            raise ApiError(413, "payload_too_large", f"{where} field {_loc(first)!r} is too long") from None
        loc = _loc(first) or where
        msg = str(first.get("msg", "is invalid")).removeprefix("Value error, ")
        raise ApiError(422, "validation_error", f"{where} field {loc!r}: {msg}") from None


def _loc(error: Any) -> str:
    return ".".join(str(p) for p in error.get("loc", ()))


def _with_cors(
    req: func.HttpRequest, route: Route, resp: func.HttpResponse, *, preflight: bool = False
) -> func.HttpResponse:
    origin = (req.headers.get("Origin") or "").strip()
    allowed = _allowed_origins()
    if origin and origin in allowed:
        resp.headers["Access-Control-Allow-Origin"] = origin
        resp.headers["Vary"] = "Origin"
        if preflight:
            resp.headers["Access-Control-Allow-Methods"] = f"{route.method}, OPTIONS"
            resp.headers["Access-Control-Allow-Headers"] = CORS_ALLOW_HEADERS
            resp.headers["Access-Control-Max-Age"] = CORS_MAX_AGE
        else:
            resp.headers["Access-Control-Expose-Headers"] = "Retry-After"
    if preflight:
        resp.headers["Allow"] = f"{route.method}, OPTIONS"
    return resp


def _allowed_origins() -> list[str]:
    from crm_core.composition import get_container

    try:
        return get_container().settings.cors_origin_list
    except ConfigError:
        return []
