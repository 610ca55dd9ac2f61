"""Account routes: register a user, log in, and who am I.

Every password check or hash runs outside any database transaction, in a slot of the process's hash gate, after
the caller's rate-limit tokens: rate limits (no I/O) → a short read → Argon2 → a short write. So a flood of
logins costs at most `LOGIN_MAX_CONCURRENT_HASHES` cores and never holds a database lock while hashing (on
SQLite every transaction holds the one write lock; the WhatsApp pipeline needs it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from crm_core.api.auth import INVALID_CREDENTIALS, limited_error, locked_error
from crm_core.api.http import ApiError, Reply, RequestContext
from crm_core.api.policy import check_register
from crm_core.api.schemas import LoginRequest, LoginResponse, RegisterRequest, UserOut, UserRef
from crm_core.composition import Container
from crm_core.db.models import User
from crm_core.security import lockout
from crm_core.security.limits import Limited, client_address
from crm_core.security.throttle import throttle
from crm_core.security.tokens import auth_secret, issue_token

T = TypeVar("T")


def user_out(user: User) -> UserOut:
    """A user as the API shows it."""
    return UserOut(
        id=user.id,
        username=user.username,
        name=user.name,
        role=user.role,
        phone=user.phone,
        email=user.email,
        team=user.team,
        leader_id=user.leader_id,
        active=bool(user.active),
        created_at=user.created_at,
    )


def user_ref(user: User) -> UserRef:
    """A short mention of a user."""
    return UserRef(id=user.id, username=user.username, name=user.name)


def _admit(ctx: RequestContext) -> None:
    """Take the caller's and the instance's rate-limit tokens for one password check; 429 when out of them."""
    try:
        ctx.container.login_guard.limiter.admit(client_address(ctx.req.headers))
    except Limited as exc:
        raise limited_error(exc) from None


def _hashing(container: Container, work: Callable[[], T]) -> T:
    """Run password work in a slot of the hash gate (never inside a transaction); 429 when every slot is busy."""
    try:
        with container.login_guard.gate.slot():
            return work()
    except Limited as exc:
        raise limited_error(exc) from None


def register(ctx: RequestContext) -> Reply:
    """Create a user: admins any role; leaders only members of their own team."""
    from sqlalchemy.exc import IntegrityError

    from crm_core.accounts import AccountError, NewUser, create_user
    from crm_core.security.passwords import hash_password

    body: RegisterRequest = ctx.body
    actor = ctx.actor
    check_register(actor, body.role, body.leader)
    password = body.password
    password_hash = _hashing(ctx.container, lambda: hash_password(password)) if password else None
    is_leader = actor.role == "leader"
    new = NewUser(
        username=body.username,
        name=body.name,
        phone=body.phone,
        role=body.role,
        password_hash=password_hash,
        email=body.email,
        leader=actor.username if is_leader else body.leader,
        team=actor.team if is_leader else body.team,
    )
    try:
        with ctx.container.database.transaction() as session:
            user = create_user(session, new, region=ctx.container.settings.default_region)
            out = user_out(user)
    except AccountError as exc:
        status = 409 if exc.code == "conflict" else 422
        raise ApiError(status, "conflict" if status == 409 else "validation_error", str(exc)) from None
    except IntegrityError:
        raise ApiError(409, "conflict", "a user with that username or phone already exists") from None
    return Reply(out, status=201)


def login(ctx: RequestContext) -> Reply:
    """Exchange credentials for a token. Rate-limited per client and per instance; the identity locks after
    LOGIN_MAX_FAILURES failures, the same way whether or not a user has it."""
    from crm_core.security.passwords import verify_password

    body: LoginRequest = ctx.body
    container = ctx.container
    settings = container.settings
    auth_secret(settings)  # refuse to run without a usable secret, before touching any account
    if not body.username and not body.phone:
        raise ApiError(422, "validation_error", "send a username or a phone number")
    identity = lockout.identity_of(body.username or body.phone or "", settings.default_region)
    _admit(ctx)
    now = container.clock.now()
    with container.database.transaction() as session:  # a short read: lock state and the user
        on_record, until = lockout.status(session, identity, now)
        user = lockout.find_user(session, identity) if until is None else None
    if until is not None:
        raise locked_error(until, now)
    stored = user.password_hash if user is not None else None
    password = body.password
    matched = _hashing(container, lambda: verify_password(stored, password))  # no transaction is open here
    if matched and user is not None and user.active:
        if on_record:
            with container.database.transaction() as session:
                lockout.clear(session, [identity])
        token, expires = issue_token(user.id, user.password_hash, settings, now)
        return Reply(LoginResponse(token=token, expires_at=expires, user=user_out(user)))
    with container.database.transaction() as session:  # a short write: count the failure
        failures = lockout.record_failure(
            session, identity, now, settings.login_max_failures, settings.login_lock_minutes
        )
    throttle.pause(failures)  # after commit: never hold a lock while waiting
    raise ApiError(401, *INVALID_CREDENTIALS)


def me(ctx: RequestContext) -> Reply:
    """The logged-in user."""
    return Reply(user_out(ctx.actor))
