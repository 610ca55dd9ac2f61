"""Account routes: register, log in, log out, change one's password; an admin's unlock, password, (de)activate.

Every password check or hash runs outside any database transaction, in a slot of the process's hash gate, after
the caller's rate-limit tokens: rate limits (no I/O) → a short read → Argon2 → a short write. So a flood of
logins costs at most `LOGIN_MAX_CONCURRENT_HASHES` cores and never holds a database lock while hashing (on
SQLite every transaction holds the one write lock; the WhatsApp pipeline needs it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, TypeVar

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session

from crm_core.api.auth import INVALID_CREDENTIALS, limited_error, locked_error
from crm_core.api.deps import Actor, Admin, Ctr, Db, DetachedActor, DetachedAdmin
from crm_core.api.errors import ApiError, errors, forbidden, not_found
from crm_core.api.policy import check_register
from crm_core.api.routing import ApiRoute
from crm_core.api.schemas import (
    AccountChange,
    ChangePasswordRequest,
    LoggedOut,
    LoginRequest,
    LoginResponse,
    RegisterRequest,
    SetPasswordRequest,
    UserId,
    UserOut,
    UserRef,
)
from crm_core.composition import Container
from crm_core.db.models import User
from crm_core.security import lockout
from crm_core.security.limits import Limited, client_address
from crm_core.security.throttle import throttle
from crm_core.security.tokens import auth_secret, issue_token

T = TypeVar("T")
ChangeAction = Literal["unlock", "password", "deactivate", "activate"]
router = APIRouter(route_class=ApiRoute, tags=["accounts"])


def user_out(user: User) -> UserOut:
    """A user as the API shows it."""
    return UserOut.model_validate(user)


def user_ref(user: User) -> UserRef:
    """A short mention of a user."""
    return UserRef.model_validate(user)


def _admit(container: Container, request: Request) -> None:
    """Take the caller's and the instance's rate-limit tokens for one password check; 429 when out of them."""
    try:
        container.login_guard.limiter.admit(client_address(request.headers))
    except Limited as exc:
        raise limited_error(exc) from None


def _hashing(container: Container, work: Callable[[], T]) -> T:
    """Run password work in a slot of the hash gate (never inside a transaction); 429 when every slot is busy."""
    try:
        with container.login_guard.gate.slot():
            return work()
    except Limited as exc:
        raise limited_error(exc) from None


@router.post(
    "/register",
    status_code=201,
    summary="Create a user (admin, or a leader for their own team)",
    responses=errors(403, 409, 429),
)
def register(body: RegisterRequest, actor: DetachedActor, container: Ctr) -> UserOut:
    """Create a user: admins any role; leaders only members of their own team.

    The password is hashed before the insert's transaction."""
    from sqlalchemy.exc import IntegrityError

    from crm_core.accounts import AccountError, NewUser, create_user
    from crm_core.security.passwords import hash_password

    check_register(actor, body.role, body.leader)
    password = body.password
    password_hash = _hashing(container, lambda: hash_password(password)) if password else None
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
        with container.database.transaction() as session:
            user = create_user(session, new, region=container.settings.default_region)
            out = user_out(user)
    except AccountError as exc:
        status = 409 if exc.code == "conflict" else 422
        raise ApiError(status, "conflict" if status == 409 else "validation_error", str(exc)) from None
    except IntegrityError:
        raise ApiError(409, "conflict", "a user with that username or phone already exists") from None
    return out


@router.post(
    "/login",
    summary="Exchange a username (or phone) and password for a bearer token",
    responses=errors(401, 429),
    description="Unknown users and wrong passwords get the same 401. Each login identity (a phone number in "
    "any written form, or a username in any letter case) is locked for LOGIN_LOCK_MINUTES after "
    "LOGIN_MAX_FAILURES failures (429 too_many_attempts), whether or not a user has it; callers are "
    "rate-limited per address and per instance (429 rate_limited), and answered 429 busy when the server "
    "is already checking LOGIN_MAX_CONCURRENT_HASHES passwords. Every 429 carries Retry-After.",
)
def login(body: LoginRequest, request: Request, container: Ctr) -> LoginResponse:
    """Exchange credentials for a token. Rate-limited per client and per instance; the identity locks after
    LOGIN_MAX_FAILURES failures, the same way whether or not a user has it."""
    from crm_core.security.passwords import verify_password

    settings = container.settings
    auth_secret(settings)  # refuse to run without a usable secret, before touching any account
    if not body.username and not body.phone:
        raise ApiError(422, "validation_error", "send a username or a phone number")
    identity = lockout.identity_of(body.username or body.phone or "", settings.default_region)
    _admit(container, request)
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
        with container.database.transaction() as session:  # locked meanwhile by concurrent failures? then no
            on_record, until = lockout.status(session, identity, now)
            if until is None and on_record:
                lockout.clear(session, [identity])
        if until is not None:
            raise locked_error(until, now)
        token, expires = issue_token(user.id, user.password_hash, settings, now, user.token_version)
        return LoginResponse(token=token, expires_at=expires, user=user_out(user))
    with container.database.transaction() as session:  # a short write: count the failure
        failures = lockout.record_failure(
            session, identity, now, settings.login_max_failures, settings.login_lock_minutes
        )
    throttle.pause(failures)  # after commit: never hold a lock while waiting
    raise ApiError(401, *INVALID_CREDENTIALS)


@router.post("/logout", summary="Log out: every token of the logged-in user stops working (all devices)")
def logout(actor: Actor, db: Db) -> LoggedOut:
    """End every session of the logged-in user: all their tokens stop working."""
    from crm_core.accounts import revoke_tokens

    revoke_tokens(db, actor)
    return LoggedOut()


@router.get("/users/me", summary="The logged-in user")
def me(actor: Actor) -> UserOut:
    """The logged-in user."""
    return user_out(actor)


@router.post(
    "/users/me/password",
    summary="Change one's own password; older tokens stop working and a new token is returned",
    responses=errors(403, 429),
    description="403 wrong_password when current_password is not right (it counts as a failed login of the "
    "username); 429 as for /login.",
)
def change_own_password(
    body: ChangePasswordRequest, actor: DetachedActor, request: Request, container: Ctr
) -> LoginResponse:
    """Change one's own password (needs the current one); every older token stops working, a new one is returned.

    A wrong current password is a 403 and counts as a failed login of the user's username.
    """
    from crm_core.accounts import set_password_hash
    from crm_core.security.passwords import hash_password, verify_password

    settings = container.settings
    identity = lockout.identity_of(actor.username, settings.default_region)
    _admit(container, request)
    now = container.clock.now()
    with container.database.transaction() as session:
        _, until = lockout.status(session, identity, now)
    if until is not None:
        raise locked_error(until, now)
    stored, current, new = actor.password_hash, body.current_password, body.new_password

    def check_and_hash() -> str | None:
        return hash_password(new) if verify_password(stored, current) else None

    new_hash = _hashing(container, check_and_hash)
    if new_hash is None:
        with container.database.transaction() as session:
            failures = lockout.record_failure(
                session, identity, now, settings.login_max_failures, settings.login_lock_minutes
            )
        throttle.pause(failures)
        raise ApiError(403, "wrong_password", "the current password is not right")
    with container.database.transaction() as session:
        user = session.get(User, actor.id)
        if user is None or user.password_hash != stored or user.token_version != actor.token_version:
            raise ApiError(401, "invalid_token", "the token has been revoked; log in again")
        set_password_hash(session, user, new_hash, settings.default_region)
        token, expires = issue_token(user.id, user.password_hash, settings, now, user.token_version)
        out = user_out(user)
    return LoginResponse(token=token, expires_at=expires, user=out)


# ----- admin actions -----


def _target(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise not_found("user")
    return user


def _change(container: Container, session: Session, user: User, action: ChangeAction, ended: bool) -> AccountChange:
    until = lockout.lock_state(session, user, container.clock.now(), container.settings.default_region)
    return AccountChange(user=user_out(user), action=action, locked_until=until, sessions_ended=ended)


@router.post(
    "/users/{user_id}/password",
    summary="Set another user's password (admin); their tokens stop working and their lock is cleared",
    responses=errors(403, 404, 429),
)
def set_user_password(user_id: UserId, body: SetPasswordRequest, actor: DetachedAdmin, container: Ctr) -> AccountChange:
    """Set another user's password: their sessions end and their lock is cleared (hashed outside transactions)."""
    from crm_core.accounts import set_password_hash
    from crm_core.security.passwords import hash_password

    if user_id == actor.id:
        raise forbidden("change your own password with POST /api/users/me/password (it needs the current one)")
    with container.database.transaction() as session:
        _target(session, user_id)  # 404 before paying for a hash
    password = body.password
    new_hash = _hashing(container, lambda: hash_password(password))
    with container.database.transaction() as session:
        user = _target(session, user_id)
        set_password_hash(session, user, new_hash, container.settings.default_region)
        return _change(container, session, user, "password", True)


@router.post(
    "/users/{user_id}/unlock",
    summary="Clear a user's failed logins and login lock (admin)",
    responses=errors(404),
)
def unlock_user(user_id: UserId, actor: Admin, db: Db, container: Ctr) -> AccountChange:
    """Clear a user's failed logins and lock (username and phone)."""
    from crm_core.accounts import unlock

    user = _target(db, user_id)
    unlock(db, user, container.settings.default_region)
    return _change(container, db, user, "unlock", False)


@router.post(
    "/users/{user_id}/deactivate",
    summary="Deactivate a user (admin; not oneself): no login, no commands, every token stops working",
    responses=errors(403, 404),
)
def deactivate_user(user_id: UserId, actor: Admin, db: Db, container: Ctr) -> AccountChange:
    """Deactivate a user: no login, no WhatsApp commands, every token stops working. Not oneself."""
    from crm_core.accounts import deactivate

    if user_id == actor.id:
        raise forbidden("you cannot deactivate yourself; ask another admin")
    user = _target(db, user_id)
    deactivate(db, user)
    return _change(container, db, user, "deactivate", True)


@router.post(
    "/users/{user_id}/activate",
    summary="Activate a deactivated user again (admin); they log in again",
    responses=errors(404),
)
def activate_user(user_id: UserId, actor: Admin, db: Db, container: Ctr) -> AccountChange:
    """Let a deactivated user back in (they log in again: old tokens stay invalid)."""
    from crm_core.accounts import activate

    user = _target(db, user_id)
    activate(db, user)
    return _change(container, db, user, "activate", False)
