"""Account routes: register, log in, log out, change one's password; an admin's unlock, password, (de)activate.

Every password check or hash runs outside any database transaction, in a slot of the process's hash gate, after
the caller's rate-limit tokens: rate limits (no I/O) → a short read → Argon2 → a short write. So a flood of
logins costs at most `LOGIN_MAX_CONCURRENT_HASHES` cores and never holds a database lock while hashing (on
SQLite every transaction holds the one write lock; the WhatsApp pipeline needs it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, TypeVar

from crm_core.api.auth import INVALID_CREDENTIALS, limited_error, locked_error
from crm_core.api.http import ApiError, Reply, RequestContext, forbidden, not_found
from crm_core.api.policy import check_register
from crm_core.api.schemas import (
    AccountChange,
    ChangePasswordRequest,
    LoggedOut,
    LoginRequest,
    LoginResponse,
    RegisterRequest,
    SetPasswordRequest,
    UserOut,
    UserRef,
)
from crm_core.composition import Container
from crm_core.db.models import User
from crm_core.security import lockout
from crm_core.security.limits import Limited, client_address
from crm_core.security.throttle import throttle
from crm_core.security.tokens import auth_secret, issue_token

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

T = TypeVar("T")
ChangeAction = Literal["unlock", "password", "deactivate", "activate"]


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
        with container.database.transaction() as session:  # locked meanwhile by concurrent failures? then no
            on_record, until = lockout.status(session, identity, now)
            if until is None and on_record:
                lockout.clear(session, [identity])
        if until is not None:
            raise locked_error(until, now)
        token, expires = issue_token(user.id, user.password_hash, settings, now, user.token_version)
        return Reply(LoginResponse(token=token, expires_at=expires, user=user_out(user)))
    with container.database.transaction() as session:  # a short write: count the failure
        failures = lockout.record_failure(
            session, identity, now, settings.login_max_failures, settings.login_lock_minutes
        )
    throttle.pause(failures)  # after commit: never hold a lock while waiting
    raise ApiError(401, *INVALID_CREDENTIALS)


def logout(ctx: RequestContext) -> Reply:
    """End every session of the logged-in user: all their tokens stop working."""
    from crm_core.accounts import revoke_tokens

    revoke_tokens(ctx.db, ctx.actor)
    return Reply(LoggedOut())


def change_own_password(ctx: RequestContext) -> Reply:
    """Change one's own password (needs the current one); every older token stops working, a new one is returned.

    A wrong current password is a 403 and counts as a failed login of the user's username.
    """
    from crm_core.accounts import set_password_hash
    from crm_core.security.passwords import hash_password, verify_password

    body: ChangePasswordRequest = ctx.body
    actor, container = ctx.actor, ctx.container
    settings = container.settings
    identity = lockout.identity_of(actor.username, settings.default_region)
    _admit(ctx)
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
    return Reply(LoginResponse(token=token, expires_at=expires, user=out))


def me(ctx: RequestContext) -> Reply:
    """The logged-in user."""
    return Reply(user_out(ctx.actor))


# ----- admin actions -----


def _target(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise not_found("user")
    return user


def _change(ctx: RequestContext, session: Session, user: User, action: ChangeAction, ended: bool) -> Reply:
    until = lockout.lock_state(session, user, ctx.now(), ctx.container.settings.default_region)
    return Reply(AccountChange(user=user_out(user), action=action, locked_until=until, sessions_ended=ended))


def unlock_user(ctx: RequestContext) -> Reply:
    """Clear a user's failed logins and lock (username and phone)."""
    from crm_core.accounts import unlock

    user = _target(ctx.db, ctx.path.user_id)
    unlock(ctx.db, user, ctx.container.settings.default_region)
    return _change(ctx, ctx.db, user, "unlock", False)


def set_user_password(ctx: RequestContext) -> Reply:
    """Set another user's password: their sessions end and their lock is cleared."""
    from crm_core.accounts import set_password_hash
    from crm_core.security.passwords import hash_password

    body: SetPasswordRequest = ctx.body
    container = ctx.container
    if ctx.path.user_id == ctx.actor.id:
        raise forbidden("change your own password with POST /api/users/me/password (it needs the current one)")
    with container.database.transaction() as session:
        _target(session, ctx.path.user_id)  # 404 before paying for a hash
    password = body.password
    new_hash = _hashing(container, lambda: hash_password(password))
    with container.database.transaction() as session:
        user = _target(session, ctx.path.user_id)
        set_password_hash(session, user, new_hash, container.settings.default_region)
        return _change(ctx, session, user, "password", True)


def deactivate_user(ctx: RequestContext) -> Reply:
    """Deactivate a user: no login, no WhatsApp commands, every token stops working. Not oneself."""
    from crm_core.accounts import deactivate

    if ctx.path.user_id == ctx.actor.id:
        raise forbidden("you cannot deactivate yourself; ask another admin")
    user = _target(ctx.db, ctx.path.user_id)
    deactivate(ctx.db, user)
    return _change(ctx, ctx.db, user, "deactivate", True)


def activate_user(ctx: RequestContext) -> Reply:
    """Let a deactivated user back in (they log in again: old tokens stay invalid)."""
    from crm_core.accounts import activate

    user = _target(ctx.db, ctx.path.user_id)
    activate(ctx.db, user)
    return _change(ctx, ctx.db, user, "activate", False)
