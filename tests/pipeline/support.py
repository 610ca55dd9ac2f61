"""Shared pieces for pipeline tests: a fake `respond` that creates and qualifies leads, a recording queue, envelopes."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from crm_core.commands import ParseResult
from crm_core.db.models import InboundMessage, Lead, Outbox
from crm_core.db.session import Database
from crm_core.envelope import Envelope
from crm_core.errors import PermanentError
from crm_core.handlers.context import HandlerContext

PHONE = "+919876543210"


@dataclass
class Outcome:
    """What the real respond returns (intent, lead_id, parse)."""

    intent: str
    lead_id: int | None = None
    parse: ParseResult | None = None


class FakeRespond:
    """Understands 'New lead: X' and 'Lead qualified for X'; counts calls; can be told to raise."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.raise_with: BaseException | None = None
        self.parse: ParseResult | None = None
        self._lock = threading.Lock()

    def __call__(self, ctx: HandlerContext, text: str, parser: Any) -> Outcome:
        with self._lock:
            self.calls.append(text)
        if self.raise_with is not None:
            raise self.raise_with
        now = ctx.now()
        if text.startswith("New lead:"):
            name = text.split(":", 1)[1].strip()
            lead = Lead(
                company=name,
                company_key=name.lower(),
                owner_id=ctx.sender.id,
                creator_id=ctx.sender.id,
                created_at=now,
                updated_at=now,
                last_activity_at=now,
            )
            ctx.session.add(lead)
            ctx.session.flush()
            ctx.log(lead, "created", f"Lead created: {name}")
            ctx.reply(f"Lead created: {name}", lead=lead)
            return Outcome("new_lead", lead.id, self.parse)
        if text.startswith("Lead qualified for"):
            name = text.removeprefix("Lead qualified for").strip()
            lead = ctx.session.scalar(select(Lead).where(Lead.company_key == name.lower()))
            if lead is None:
                raise PermanentError(f"I couldn't find a lead called {name}.")
            lead.status = "qualified"
            ctx.log(lead, "qualified", "Qualified")
            ctx.reply(f"{name} is qualified ✅", lead=lead)
            return Outcome("qualify", lead.id, self.parse)
        ctx.reply("Noted.")
        return Outcome("note", None, self.parse)


class FakeQueue:
    """An InboundQueue that records (body, delay)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, int]] = []
        self._lock = threading.Lock()

    def send(self, body: str, *, delay_seconds: int = 0) -> None:
        with self._lock:
            self.sent.append((body, delay_seconds))


def envelope(text: str, message_id: str, sent_at: datetime, sender: str = PHONE, **extra: Any) -> str:
    """An envelope's JSON as the webhook would enqueue it."""
    return Envelope(
        provider=extra.pop("provider", "maytapi"),
        message_id=message_id,
        sender=sender,
        text=text,
        sent_at=sent_at,
        **extra,
    ).to_json()


def count(db: Database, model: Any, *where: Any) -> int:
    """Rows of a model matching conditions."""
    with db.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def inbound(db: Database) -> list[InboundMessage]:
    """Every inbound row, by id."""
    with db.sessions() as session:
        rows = list(session.scalars(select(InboundMessage).order_by(InboundMessage.id)))
        session.expunge_all()
        return rows


def replies(db: Database) -> list[Outbox]:
    """Every outbox row, by id."""
    with db.sessions() as session:
        rows = list(session.scalars(select(Outbox).order_by(Outbox.id)))
        session.expunge_all()
        return rows


def seconds(n: float) -> timedelta:
    """A timedelta of n seconds."""
    return timedelta(seconds=n)
