"""Authentication: bearer tokens on every request; the error answers of login limits and lockout."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from crm_core.api.errors import ApiError
from crm_core.composition import Container
from crm_core.db.models import User
from crm_core.security.limits import Limited
from crm_core.security.tokens import TokenClaims, TokenError, decode_token, password_version

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="crm"'}


def read_token(headers: Mapping[str, str], container: Container) -> TokenClaims:
    """The claims of the request's bearer token; 401 for a missing, malformed, tampered or expired one."""
    header = (headers.get("Authorization") or "").strip()
    if not header:
        raise ApiError(401, "unauthorized", "log in and send the token as 'Authorization: Bearer <token>'", CHALLENGE)
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "invalid_token", "the Authorization header must be 'Bearer <token>'", CHALLENGE)
    try:
        claims = decode_token(token.strip(), container.settings, container.clock.now())
    except TokenError as exc:
        raise ApiError(401, exc.code, str(exc), CHALLENGE) from None
    return claims


def load_user(session: Session, claims: TokenClaims) -> User:
    """The token's user if still active, with a password, the same password and token version; 401 otherwise."""
    user = session.get(User, claims.user_id) if 0 < claims.user_id <= 2_147_483_647 else None
    if (
        user is None
        or not user.active
        or not user.password_hash  # a password-less user can never hold a token
        or password_version(user.password_hash) != claims.password_version
        or int(user.token_version or 0) != claims.token_version
    ):
        raise ApiError(401, "invalid_token", "the token has been revoked; log in again", CHALLENGE)
    return user


def locked_error(until: datetime, now: datetime) -> ApiError:
    """429 with Retry-After for a locked login identity."""
    seconds = max(1, math.ceil((until - now).total_seconds()))
    return ApiError(
        429,
        "too_many_attempts",
        "too many failed logins; try again later",
        {"Retry-After": str(seconds)},
    )


def limited_error(exc: Limited) -> ApiError:
    """429 with Retry-After for a rate limit or a full hash gate."""
    return ApiError(429, exc.code, exc.message, {"Retry-After": str(exc.retry_after)})


INVALID_CREDENTIALS = ("invalid_credentials", "wrong username or password")
