"""Accounts: creating, finding and administering users (shared by the CLI, the API and the demo seed).

Nothing here hashes a password inside the caller's transaction unless told to: the API hashes first (outside any
transaction, in a slot of the hash gate) and passes `password_hash`; the CLI may let `create_user` hash.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from crm_core.db.models import Role, User
from crm_core.phones import to_e164
from crm_core.security.passwords import hash_password


class AccountError(Exception):
    """A user could not be created; `code` is `conflict` or `invalid`."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class NewUser:
    """What it takes to create a user."""

    username: str
    name: str
    phone: str
    role: str = Role.MEMBER
    password: str | None = None
    email: str | None = None
    leader: str | None = None  # leader's username
    team: str | None = None
    password_hash: str | None = None  # already hashed (then `password` is ignored)


def create_user(session: Session, new: NewUser, region: str = "IN") -> User:
    """Validate and add a user; AccountError on a bad field or a duplicate username/phone."""
    username = new.username.strip().lower()
    if not username or not username.replace("_", "").replace(".", "").replace("-", "").isalnum():
        raise AccountError("username must be letters, digits, '.', '_' or '-'")
    if new.role not in Role.ALL:
        raise AccountError(f"role must be one of {', '.join(Role.ALL)}")
    phone = to_e164(new.phone, region)
    if phone is None:
        raise AccountError(f"{new.phone!r} is not a valid phone number")
    if not new.name.strip():
        raise AccountError("name is required")
    clash = session.scalar(select(User).where(or_(func.lower(User.username) == username, User.phone == phone)))
    if clash is not None:
        what = "username" if clash.username.lower() == username else "phone"
        raise AccountError(f"a user with that {what} already exists", code="conflict")
    leader_id = None
    team = new.team
    if new.leader:
        leader = find_by_username(session, new.leader)
        if leader is None or leader.role not in (Role.LEADER, Role.ADMIN):
            raise AccountError(f"leader {new.leader!r} is not a team leader")
        leader_id = leader.id
        team = team or leader.team or leader.username
    if new.role == Role.LEADER and not team:
        team = username
    user = User(
        username=username,
        name=new.name.strip(),
        phone=phone,
        email=new.email,
        role=new.role,
        leader_id=leader_id,
        team=team,
        password_hash=new.password_hash or (hash_password(new.password) if new.password else None),
        active=True,
    )
    session.add(user)
    session.flush()
    return user


def find_by_username(session: Session, username: str) -> User | None:
    """A user by username, case-insensitively."""
    return session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))


def find_by_phone(session: Session, phone: str) -> User | None:
    """A user by E.164 phone."""
    return session.scalar(select(User).where(User.phone == phone))


def find_by_login(session: Session, name: str, region: str = "IN") -> User | None:
    """A user by username or phone number (any written form), as a login names them."""
    from crm_core.security.lockout import find_user, identity_of

    return find_user(session, identity_of(name, region))


def revoke_tokens(session: Session, user: User) -> None:
    """Invalidate every token the user holds (atomically bumps the token version)."""
    session.execute(
        update(User).where(User.id == user.id).values(token_version=func.coalesce(User.token_version, 0) + 1)
    )
    session.refresh(user, ["token_version"])


def set_password_hash(session: Session, user: User, password_hash: str, region: str = "IN") -> None:
    """Store a new password (already hashed), end every session and clear the user's lockouts."""
    from crm_core.security import lockout

    user.password_hash = password_hash
    session.flush()
    revoke_tokens(session, user)
    lockout.clear(session, lockout.identities_of(user, region))


def deactivate(session: Session, user: User) -> None:
    """Stop a user: no login, no token, no WhatsApp commands; every token they hold stops working."""
    user.active = False
    session.flush()
    revoke_tokens(session, user)


def activate(session: Session, user: User) -> None:
    """Let a deactivated user back in (their old tokens stay invalid: they log in again)."""
    user.active = True
    session.flush()


def unlock(session: Session, user: User, region: str = "IN") -> int:
    """Clear failed-login counts and locks of the user's username and phone; returns the rows cleared."""
    from crm_core.security import lockout

    return lockout.clear(session, lockout.identities_of(user, region))


def active_admins(session: Session) -> int:
    """How many active admins there are."""
    return int(
        session.scalar(select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.active.is_(True)))
        or 0
    )
