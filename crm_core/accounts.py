"""Accounts: creating and finding users (shared by the CLI, the register API and the demo seed)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
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
