"""Account lockout keyed on the normalised login identity, stored in the database (`login_attempts`).

A login names an identity: a phone number (any written form, normalised to E.164) or a username (casefolded).
"98765 43210", "+919876543210" and "09876543210" are one identity and share one failure counter. The counter
belongs to the identity, not to a user row, and is kept the same way whether or not a user has that identity,
so neither the answers nor their timing tell a stranger which names exist; a user's username and phone are two
identities, each locked on its own (locking one says nothing about the other). Rows hold a SHA-256 of the
identity, never the typed text.

Every function here is one or two short statements meant for a short transaction of their own: none of them
hashes a password, so no database lock is ever held while Argon2 runs.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_core.db.models import LoginAttempt, User

# Characters a written phone number may contain; anything else (letters) is a username.
_PHONE_TEXT = re.compile(r"^[+\d\s().\-/]+$")


@dataclass(frozen=True)
class Identity:
    """A normalised login identity: `kind` is `phone` (value in E.164) or `username` (value casefolded)."""

    kind: str
    value: str

    @property
    def key(self) -> str:
        """The lockout key: a SHA-256 of kind and value (hex)."""
        return hashlib.sha256(f"{self.kind}:{self.value}".encode()).hexdigest()


def identity_of(text: str, region: str = "IN") -> Identity:
    """The identity a login name stands for (a function of the text alone, never of what the database holds)."""
    from crm_core.phones import to_e164

    raw = (text or "").strip()
    if _PHONE_TEXT.match(raw) and sum(ch.isdigit() for ch in raw) >= 5:
        e164 = to_e164(raw, region)
        if e164:
            return Identity("phone", e164)
    return Identity("username", raw.casefold())


def identities_of(user: User, region: str = "IN") -> list[Identity]:
    """Every identity a user can log in with (username and phone)."""
    found = [identity_of(user.username, region), Identity("phone", user.phone)]
    return list(dict.fromkeys(found))


def find_user(session: Session, identity: Identity) -> User | None:
    """The user an identity names: by phone (then by a username spelled like it) or by username."""
    if identity.kind == "phone":
        user = session.scalar(select(User).where(User.phone == identity.value))
        if user is not None:
            return user
        digits = identity.value.lstrip("+")
        return session.scalar(select(User).where(func.lower(User.username).in_((identity.value, digits))))
    return session.scalar(select(User).where(func.lower(User.username) == identity.value))


def status(session: Session, identity: Identity, now: datetime) -> tuple[bool, datetime | None]:
    """(whether the identity has failures on record, when its lock ends or None when it is not locked)."""
    row = session.execute(select(LoginAttempt.locked_until).where(LoginAttempt.key == identity.key)).first()
    if row is None:
        return False, None
    until = row[0]
    return True, until if until is not None and until > now else None


def record_failure(session: Session, identity: Identity, now: datetime, max_failures: int, lock_minutes: int) -> int:
    """Count one failed attempt atomically; lock the identity for lock_minutes at max_failures.

    Failures older than lock_minutes, and those before an ended lock, are forgotten. Returns the count including
    this one (max_failures when the identity is, or just became, locked).
    """
    window = timedelta(minutes=lock_minutes)
    key = identity.key
    unlocked = or_(LoginAttempt.locked_until.is_(None), LoginAttempt.locked_until <= now)
    restart = or_(LoginAttempt.updated_at < now - window, LoginAttempt.locked_until.is_not(None))
    bump = (
        update(LoginAttempt)
        .where(LoginAttempt.key == key, unlocked)
        .values(failures=case((restart, 1), else_=LoginAttempt.failures + 1), locked_until=None, updated_at=now)
        # A plain UPDATE (no ORM synchronisation): its row count says whether this failure was counted.
        .execution_options(synchronize_session=False)
    )
    if session.scalar(select(LoginAttempt.key).where(LoginAttempt.key == key)) is None:
        # The identity's first failure: create its row at zero, then count like any other failure. A concurrent
        # first failure may insert it first (we then wait for it and find the row); only the UPDATE ever counts,
        # so every failure is counted exactly once.
        _prune(session, now, window)
        try:
            with session.begin_nested():
                session.add(LoginAttempt(key=key, failures=0, locked_until=None, updated_at=now))
        except IntegrityError:
            pass
    if not _rowcount(session.execute(bump)):
        return max_failures  # locked (by this failure's predecessors): nothing more to count
    failures = int(session.scalar(select(LoginAttempt.failures).where(LoginAttempt.key == key)) or 0)
    if failures >= max_failures:
        session.execute(
            update(LoginAttempt).where(LoginAttempt.key == key).values(failures=0, locked_until=now + window)
        )
        return max_failures
    return failures


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def clear(session: Session, identities: list[Identity]) -> int:
    """Forget failures and locks of these identities (a successful login, an admin's unlock). Returns rows."""
    keys = [i.key for i in identities]
    if not keys:
        return 0
    return _rowcount(session.execute(delete(LoginAttempt).where(LoginAttempt.key.in_(keys))))


def lock_state(session: Session, user: User, now: datetime, region: str = "IN") -> datetime | None:
    """The latest lock end among a user's identities, or None (for `users list` and the admin API)."""
    keys = [i.key for i in identities_of(user, region)]
    until = session.scalar(
        select(func.max(LoginAttempt.locked_until)).where(
            and_(LoginAttempt.key.in_(keys), LoginAttempt.locked_until > now)
        )
    )
    return until


def _prune(session: Session, now: datetime, window: timedelta) -> None:
    """Drop rows whose failures have expired and whose lock is over (run when a new identity is added)."""
    session.execute(
        delete(LoginAttempt).where(
            LoginAttempt.updated_at < now - window,
            or_(LoginAttempt.locked_until.is_(None), LoginAttempt.locked_until <= now),
        )
    )
