"""The API's one error shape: `{"error": {"code", "message"}}` with the right status, whatever went wrong.

`ApiError` is what route code raises. `install(app)` turns it, FastAPI's validation errors and Starlette's
404/405 into that shape; `Envelope` (crm_core.api.middleware) does the same for anything unexpected.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crm_core.api.schemas import ErrorBody, ErrorResponse

if TYPE_CHECKING:
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from starlette.responses import Response

# What each error status means, as the OpenAPI document says it.
ERROR_TEXT = {
    400: "Malformed request (empty body, invalid JSON)",
    401: "Missing, invalid, expired or revoked token; wrong credentials",
    403: "Not allowed for this user",
    404: "Not found (or not visible to this user)",
    405: "Method not allowed",
    409: "Conflict with an existing object",
    413: "Body or field too large",
    422: "Invalid path, query or body field",
    429: "Too many failed logins, too many attempts from this address or instance, or busy (see Retry-After)",
    500: "Server error or missing configuration",
    503: "Database unavailable; retry later",
}


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


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route for the domain errors it answers (the generic ones are added per route)."""
    return {code: {"model": ErrorResponse, "description": ERROR_TEXT[code]} for code in codes}


def error_response(err: ApiError) -> Response:
    """The JSON form of an ApiError."""
    from starlette.responses import Response

    payload = ErrorResponse(error=ErrorBody(code=err.code, message=err.message)).model_dump_json()
    return Response(payload, status_code=err.status, headers=err.headers, media_type="application/json")


def from_validation(exc: RequestValidationError, status: int = 422) -> ApiError:
    """The first bad input of a request, named: `query field 'limit': …`; a body string over its limit is a 413."""
    first = exc.errors()[0] if exc.errors() else {}
    loc = [str(p) for p in first.get("loc", ())]
    where = loc[0] if loc and loc[0] in ("body", "query", "path", "header") else "body"
    field = ".".join(loc[1:]) or where
    if where == "body" and first.get("type") == "string_too_long":
        return ApiError(413, "payload_too_large", f"{where} field {field!r} is too long")
    message = str(first.get("msg", "is invalid")).removeprefix("Value error, ")
    return ApiError(status, "validation_error", f"{where} field {field!r}: {message}")


_HTTP_CODES = {404: "not_found", 405: "method_not_allowed"}


def install(app: FastAPI) -> None:
    """Answer ApiError, validation errors and Starlette's HTTP errors (unknown path, wrong method) in our shape."""
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return error_response(exc)

    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return error_response(from_validation(exc))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        code = _HTTP_CODES.get(exc.status_code, "error")
        if exc.status_code == 404:
            message = f"nothing is served at {request.url.path}"
        elif exc.status_code == 405:
            message = f"{request.method} is not allowed here"
        else:
            message = str(exc.detail)
        return error_response(ApiError(exc.status_code, code, message, dict(exc.headers or {})))

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(HTTPException, http_error)
