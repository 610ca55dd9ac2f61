"""Two ASGI middlewares around the API: `Cors` (outermost) and `Envelope` (never a bare 5xx).

`Envelope` answers anything a route did not turn into an answer: a database that is busy or resuming is
`503 unavailable` with `Retry-After` (a GET is first retried in-process, three attempts in all: reads are safe to
repeat and ride out an Azure SQL serverless resume), a missing setting `500 config_error`, anything else a logged
`500 internal_error` that shows nothing of the internals. Unlike an exception handler for `Exception` (Starlette
re-raises those after answering, which would fail the Functions invocation), it never re-raises.

`Cors` answers every OPTIONS on an API path as a preflight (204, `Allow` listing the path's methods) and echoes an
allowed `Origin` (the `CORS_ORIGINS` setting, read per request) on every answer, errors included.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crm_core.api.errors import ApiError, error_response

log = logging.getLogger("crm_core.api")
GET_ATTEMPTS = 3
ALLOW_HEADERS = "Authorization, Content-Type"
MAX_AGE = "600"


class Envelope:
    """See the module's docs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        attempts = GET_ATTEMPTS if scope["method"] == "GET" else 1
        for attempt in range(1, attempts + 1):
            started = False

            async def tracking(message: Message) -> None:
                nonlocal started
                started = started or message["type"] == "http.response.start"
                await send(message)

            try:
                await self.app(scope, receive, tracking)
                return
            except Exception as exc:
                if started:
                    raise
                from crm_core.db.engine import is_transient

                if attempt < attempts and is_transient(exc):
                    await asyncio.sleep(0.2 * attempt)
                    continue
                await error_response(unexpected(scope, exc))(scope, receive, send)
                return


def unexpected(scope: Scope, exc: Exception) -> ApiError:
    """The answer to an exception no route handled, logged."""
    from crm_core.db.engine import is_transient
    from crm_core.settings import ConfigError

    where = f"{scope.get('method')} {scope.get('path')}"
    if isinstance(exc, ConfigError):
        log.error("%s: configuration error: %s", where, exc)
        return ApiError(500, "config_error", str(exc))
    if is_transient(exc):
        log.warning("%s: database unavailable: %s", where, exc)
        return ApiError(503, "unavailable", "the database is busy or resuming; try again", {"Retry-After": "5"})
    log.error("%s failed", where, exc_info=exc)
    return ApiError(500, "internal_error", "something went wrong on our side")


class Cors:
    """See the module's docs. `methods(scope)` lists the methods the path serves (empty: not an API path)."""

    def __init__(self, app: ASGIApp, origins: Callable[[], list[str]], methods: Callable[[Scope], list[str]]) -> None:
        self.app = app
        self.origins = origins
        self.methods = methods

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin = _header(scope, b"origin")
        allowed = origin if origin and origin in self.origins() else None
        if scope["method"] == "OPTIONS":
            methods = self.methods(scope)
            if methods:
                await self._preflight(scope, send, [*methods, "OPTIONS"], allowed)
                return

        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start" and allowed:
                headers = list(message.get("headers", []))
                if not any(k.lower() == b"access-control-allow-origin" for k, _ in headers):
                    headers += [
                        (b"access-control-allow-origin", allowed.encode()),
                        (b"vary", b"Origin"),
                        (b"access-control-expose-headers", b"Retry-After"),
                    ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_cors)

    async def _preflight(self, scope: Scope, send: Send, methods: list[str], origin: str | None) -> None:
        allow = ", ".join(methods)
        headers = [(b"allow", allow.encode())]
        if origin:
            headers += [
                (b"access-control-allow-origin", origin.encode()),
                (b"access-control-allow-methods", allow.encode()),
                (b"access-control-allow-headers", ALLOW_HEADERS.encode()),
                (b"access-control-max-age", MAX_AGE.encode()),
                (b"vary", b"Origin"),
            ]
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1").strip() or None
    return None


def route_methods(routes: list[Any]) -> Callable[[Scope], list[str]]:
    """For `Cors`: the methods of the routes whose path matches the request's, in declaration order."""
    from starlette.routing import Match

    def methods(scope: Scope) -> list[str]:
        found: list[str] = []
        for route in routes:
            if getattr(route, "methods", None) and route.matches(scope)[0] != Match.NONE:
                found += [m for m in sorted(route.methods) if m != "HEAD" and m not in found]
        return found

    return methods
