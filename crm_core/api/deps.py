"""What a route may ask for, as FastAPI dependencies: the container, the token's claims, a transaction, the caller.

Order matters and FastAPI keeps it: the token is read (401) and the caller's role checked (403) before any path,
query or body field is validated (422), so anonymous callers learn nothing about the inputs.

- `Db`: one transaction for the whole route, committed before the answer is sent (`scope="function"`), rolled
  back when the route raises.
- `Actor`: the token's user, read in the route's transaction. `DetachedActor`: read in a short transaction of its
  own, for routes that hash passwords with no transaction open (crm_core.api.users).
- `Admin`, `Leader`, `DetachedAdmin`: the same, with a role check.

No `from __future__ import annotations` here: FastAPI reads these signatures at runtime.
"""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from crm_core.api.auth import load_user, read_token
from crm_core.api.errors import forbidden
from crm_core.composition import Container, get_container
from crm_core.db.models import User
from crm_core.security.tokens import TokenClaims

# Documents the scheme in OpenAPI (`bearerAuth`); the header itself is read by read_token, with our error codes.
bearer = HTTPBearer(scheme_name="bearerAuth", bearerFormat="JWT", auto_error=False)
ADMIN = ("admin",)
LEADERS = ("leader", "admin")


async def container() -> Container:
    """The process container (crm_core.composition)."""
    return get_container()


Ctr = Annotated[Container, Depends(container)]


async def claims(
    request: Request, c: Ctr, _: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)]
) -> TokenClaims:
    """The bearer token's claims; 401 for a missing, malformed, tampered or expired token."""
    return read_token(request.headers, c)


Claims = Annotated[TokenClaims, Depends(claims)]


def transaction(c: Ctr) -> Iterator[Session]:
    """A session in one transaction: committed when the route returns, rolled back when it raises."""
    with c.database.transaction() as session:
        yield session


Db = Annotated[Session, Depends(transaction, scope="function")]


def actor(token: Claims, db: Db) -> User:
    """The token's user, still active with the same password and token version; 401 otherwise."""
    return load_user(db, token)


def detached_actor(token: Claims, c: Ctr) -> User:
    """The token's user, read in a short transaction of its own (the route holds none)."""
    with c.database.transaction() as session:
        return load_user(session, token)


Actor = Annotated[User, Depends(actor)]
DetachedActor = Annotated[User, Depends(detached_actor)]


def _require(user: User, roles: tuple[str, ...]) -> User:
    if user.role not in roles:
        raise forbidden(f"this needs the role {' or '.join(roles)}")
    return user


def admin(user: Actor) -> User:
    """The caller, an admin (403 otherwise)."""
    return _require(user, ADMIN)


def leader(user: Actor) -> User:
    """The caller, a leader or an admin (403 otherwise)."""
    return _require(user, LEADERS)


def detached_admin(user: DetachedActor) -> User:
    """The caller, an admin, read outside the route's (absent) transaction."""
    return _require(user, ADMIN)


Admin = Annotated[User, Depends(admin)]
Leader = Annotated[User, Depends(leader)]
DetachedAdmin = Annotated[User, Depends(detached_admin)]

TOKEN_CHECKS = frozenset({claims})
ROLE_CHECKS = frozenset({admin, leader, detached_admin})
