"""Bearer tokens: JWT HS256 signed with AUTH_SECRET, expiring, bound to the user's password and token version.

A token names its user (`sub`), carries `iat`/`exp`, a `pwv` fingerprint of the password hash at issue time and
`tv`, the user's token version at issue time. The API checks on every request that the user still exists, is
active, has a password with that fingerprint and still has that token version: changing the password, logging
out and deactivation each bump the version, so every older token stops working at once.

Only a user with a password can hold a token: `issue_token` refuses a user without one, and the API refuses
such a user's tokens. (All password-less users would otherwise share one fingerprint, and whoever held
AUTH_SECRET could mint a token for any of them.)
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from crm_core.settings import ConfigError, Settings

ALGORITHM = "HS256"
ISSUER = "crm-core"
MIN_SECRET_LENGTH = 32
LEEWAY_SECONDS = 30


class TokenError(Exception):
    """A token is malformed, tampered with, expired or revoked; `code` is `invalid_token` or `token_expired`."""

    def __init__(self, message: str, code: str = "invalid_token") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class TokenClaims:
    """What a valid token says."""

    user_id: int
    issued_at: datetime
    expires_at: datetime
    password_version: str
    token_id: str
    token_version: int = 0


def auth_secret(settings: Settings) -> str:
    """AUTH_SECRET, or ConfigError when it is missing or too short to sign tokens safely."""
    secret = settings.auth_secret or ""
    if len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(
            f"Setting AUTH_SECRET must be set to a random string of at least {MIN_SECRET_LENGTH} characters"
        )
    return secret


def password_version(password_hash: str | None) -> str:
    """A short fingerprint of the stored password hash (changes whenever the password does)."""
    return hashlib.sha256((password_hash or "").encode("utf-8")).hexdigest()[:16]


def issue_token(
    user_id: int, password_hash: str | None, settings: Settings, now: datetime, token_version: int = 0
) -> tuple[str, datetime]:
    """A signed token for a user and its expiry time; TokenError for a user without a password."""
    import jwt

    secret = auth_secret(settings)
    if not password_hash:
        raise TokenError("a user without a password cannot hold a token", code="no_password")
    issued = now.astimezone(UTC).replace(microsecond=0)
    expires = issued + timedelta(minutes=settings.auth_token_ttl_minutes)
    payload = {
        "sub": str(user_id),
        "iss": ISSUER,
        "iat": int(issued.timestamp()),
        "exp": int(expires.timestamp()),
        "jti": uuid.uuid4().hex,
        "pwv": password_version(password_hash),
        "tv": int(token_version),
    }
    return jwt.encode(payload, secret, algorithm=ALGORITHM), expires


def decode_token(token: str, settings: Settings, now: datetime) -> TokenClaims:
    """Verify a token's signature, issuer and expiry (against `now`, the app's clock) and return its claims."""
    import jwt

    secret = auth_secret(settings)
    if len(token) > 4096:
        raise TokenError("the token is not valid")
    try:
        payload = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["sub", "iat", "exp", "pwv", "tv"], "verify_exp": False, "verify_iat": False},
        )
    except jwt.PyJWTError:
        raise TokenError("the token is not valid") from None
    try:
        user_id = int(payload["sub"])
        issued = datetime.fromtimestamp(int(payload["iat"]), UTC)
        expires = datetime.fromtimestamp(int(payload["exp"]), UTC)
        pwv = str(payload["pwv"])
        version = payload["tv"]
        if isinstance(version, bool) or not isinstance(version, int):
            raise TypeError("tv")
    except (TypeError, ValueError, OverflowError, OSError):
        raise TokenError("the token is not valid") from None
    moment = now.astimezone(UTC)
    if expires + timedelta(seconds=LEEWAY_SECONDS) <= moment:
        raise TokenError("the token has expired; log in again", code="token_expired")
    if issued - timedelta(seconds=LEEWAY_SECONDS) > moment:
        raise TokenError("the token is not valid yet")
    return TokenClaims(user_id, issued, expires, pwv, str(payload.get("jti", "")), version)
