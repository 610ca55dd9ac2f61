"""Helpers for delivery tests: users and outbox rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from crm_core.accounts import NewUser, create_user
from crm_core.db.models import Outbox, User
from crm_core.db.session import Database
from crm_core.outbox import record


def add_user(db: Database, username: str = "ravi", phone: str = "+919876543210", name: str = "Ravi Kumar") -> User:
    """Create a member."""
    with db.transaction() as session:
        user = create_user(session, NewUser(username=username, name=name, phone=phone))
        session.expunge(user)
    return user


def add_rows(
    db: Database,
    n: int,
    due_at: datetime,
    *,
    to: str = "+919876543210",
    urgent: bool = True,
    channel: str = "whatsapp",
    prefix: str = "msg",
) -> list[int]:
    """Add n pending outbox rows; return their ids."""
    with db.transaction() as session:
        rows = [
            record(session, to=to, body=f"{prefix} {i}", due_at=due_at, urgent=urgent, channel=channel)
            for i in range(n)
        ]
        session.flush()
        return [r.id for r in rows]


def outbox(db: Database) -> list[Outbox]:
    """Every outbox row, by id."""
    with db.sessions() as session:
        rows = list(session.scalars(select(Outbox).order_by(Outbox.id)))
        session.expunge_all()
        return rows
