"""Authentication: bearer tokens on every request, and login with throttling and account lockout."""

from __future__ import annotations

from datetime import datetime, timedelta

import azure.functions as func
from sqlalchemy import func as sqlf
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crm_core.api.http import ApiError
from crm_core.composition import Container
from crm_core.db.models import User
from crm_core.security.tokens import TokenClaims, TokenError, decode_token, password_version

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="crm"'}


def read_token(req: func.HttpRequest, container: Container) -> TokenClaims:
    """The claims of the request's bearer token; 401 for a missing, malformed, tampered or expired one."""
    header = (req.headers.get("Authorization") or "").strip()
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
    """The token's user if still active with the same password; 401 otherwise (revoked)."""
    user = session.get(User, claims.user_id) if 0 < claims.user_id <= 2_147_483_647 else None
    if user is None or not user.active or password_version(user.password_hash) != claims.password_version:
        raise ApiError(401, "invalid_token", "the token has been revoked; log in again", CHALLENGE)
    return user


def authenticate(req: func.HttpRequest, session: Session, container: Container) -> User:
    """The active user named by a valid bearer token; 401 for a missing, bad, expired or revoked token."""
    return load_user(session, read_token(req, container))


def find_login_user(session: Session, name: str | None, phone: str | None, region: str) -> User | None:
    """The user a login names, by username or phone number (either field may hold a phone)."""
    from crm_core.phones import to_e164

    if name:
        user = session.scalar(select(User).where(sqlf.lower(User.username) == name.strip().lower()))
        if user is not None:
            return user
    for candidate in (phone, name):
        e164 = to_e164(candidate, region) if candidate else None
        if e164:
            found = session.scalar(select(User).where(User.phone == e164))
            if found is not None:
                return found
    return None


def record_failure(session: Session, user: User, now: datetime, max_failures: int, lock_minutes: int) -> int:
    """Count a failed login atomically; lock the account after max_failures. Returns the failure count."""
    session.execute(
        update(User).where(User.id == user.id).values(failed_logins=sqlf.coalesce(User.failed_logins, 0) + 1)
    )
    session.refresh(user, ["failed_logins"])
    failures = int(user.failed_logins or 0)
    if failures >= max_failures:
        user.locked_until = now + timedelta(minutes=lock_minutes)
        user.failed_logins = 0
    return failures


def locked_error(until: datetime, now: datetime) -> ApiError:
    """429 with Retry-After for a locked login name."""
    seconds = max(1, int((until - now).total_seconds()))
    return ApiError(
        429,
        "too_many_attempts",
        "too many failed logins; try again later",
        {"Retry-After": str(seconds)},
    )


INVALID_CREDENTIALS = ("invalid_credentials", "wrong username or password")
