"""Account routes: register a user, log in, and who am I."""

from __future__ import annotations

from datetime import timedelta

from crm_core.api.auth import INVALID_CREDENTIALS, find_login_user, locked_error, record_failure
from crm_core.api.http import ApiError, Reply, RequestContext
from crm_core.api.policy import check_register
from crm_core.api.schemas import LoginRequest, LoginResponse, RegisterRequest, UserOut, UserRef
from crm_core.db.models import User
from crm_core.security.passwords import verify_password
from crm_core.security.throttle import throttle, unknown_names
from crm_core.security.tokens import auth_secret, issue_token


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


def register(ctx: RequestContext) -> Reply:
    """Create a user: admins any role; leaders only members of their own team."""
    from sqlalchemy.exc import IntegrityError

    from crm_core.accounts import AccountError, NewUser, create_user

    body: RegisterRequest = ctx.body
    actor = ctx.actor
    check_register(actor, body.role, body.leader)
    is_leader = actor.role == "leader"
    new = NewUser(
        username=body.username,
        name=body.name,
        phone=body.phone,
        role=body.role,
        password=body.password,
        email=body.email,
        leader=actor.username if is_leader else body.leader,
        team=actor.team if is_leader else body.team,
    )
    try:
        user = create_user(ctx.db, new, region=ctx.container.settings.default_region)
    except AccountError as exc:
        status = 409 if exc.code == "conflict" else 422
        raise ApiError(status, "conflict" if status == 409 else "validation_error", str(exc)) from None
    except IntegrityError:
        raise ApiError(409, "conflict", "a user with that username or phone already exists") from None
    return Reply(user_out(user), status=201)


def login(ctx: RequestContext) -> Reply:
    """Exchange credentials for a token; failures are slowed down, then the login name is locked for a while."""
    body: LoginRequest = ctx.body
    container = ctx.container
    settings = container.settings
    auth_secret(settings)  # refuse to run without a usable secret, before touching any account
    if not body.username and not body.phone:
        raise ApiError(422, "validation_error", "send a username or a phone number")
    now = container.clock.now()
    key = (body.username or body.phone or "").strip().lower()
    failures = 0
    outcome: Reply | ApiError
    with container.database.transaction() as session:
        user = find_login_user(session, body.username, body.phone, settings.default_region)
        if user is None:
            verify_password(None, body.password)  # same work as a real check
            count, until = unknown_names.get(key)
            if until is not None and until > now:
                outcome = locked_error(until, now)
            else:
                failures = count + 1
                if failures >= settings.login_max_failures:
                    unknown_names.put(key, 0, now + timedelta(minutes=settings.login_lock_minutes))
                else:
                    unknown_names.put(key, failures, None)
                outcome = ApiError(401, *INVALID_CREDENTIALS)
        elif user.locked_until is not None and user.locked_until > now:
            verify_password(None, body.password)
            outcome = locked_error(user.locked_until, now)
        elif verify_password(user.password_hash, body.password) and user.active:
            user.failed_logins = 0
            user.locked_until = None
            token, expires = issue_token(user.id, user.password_hash, settings, now)
            outcome = Reply(LoginResponse(token=token, expires_at=expires, user=user_out(user)))
        else:
            failures = record_failure(session, user, now, settings.login_max_failures, settings.login_lock_minutes)
            outcome = ApiError(401, *INVALID_CREDENTIALS)
    if isinstance(outcome, ApiError):
        throttle.pause(failures)  # after commit: never hold a lock while waiting
        raise outcome
    return outcome


def me(ctx: RequestContext) -> Reply:
    """The logged-in user."""
    return Reply(user_out(ctx.actor))
