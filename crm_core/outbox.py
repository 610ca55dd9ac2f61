"""Recording outgoing messages: handlers, nurture and the pipeline add outbox rows, never send directly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from crm_core.db.models import Outbox, User, utcnow


@dataclass(frozen=True)
class Attachment:
    """A file sent as media with a message."""

    url: str
    filename: str | None = None
    mime: str | None = None


def record(
    session: Session,
    *,
    to: User | str,
    body: str,
    kind: str = "reply",
    channel: str = "whatsapp",
    due_at: datetime | None = None,
    urgent: bool = True,
    attachment: Attachment | None = None,
    lead_id: int | None = None,
    event_id: int | None = None,
    template_id: int | None = None,
    inbound_id: int | None = None,
    dedupe_key: str | None = None,
    data: dict[str, Any] | None = None,
) -> Outbox:
    """Add one outgoing message to the outbox in the caller's transaction (delivered after commit)."""
    if isinstance(to, User):
        recipient = to.phone if channel == "whatsapp" else str(to.id)
        user_id: int | None = to.id
    else:
        recipient, user_id = to, None
    row = Outbox(
        recipient=recipient,
        recipient_user_id=user_id,
        channel=channel,
        kind=kind,
        body=body,
        attachment_url=attachment.url if attachment else None,
        attachment_filename=attachment.filename if attachment else None,
        attachment_mime=attachment.mime if attachment else None,
        due_at=due_at or utcnow(),
        urgent=urgent,
        status="pending",
        attempts=0,
        lead_id=lead_id,
        event_id=event_id,
        template_id=template_id,
        inbound_id=inbound_id,
        dedupe_key=dedupe_key,
        data=data,
    )
    session.add(row)
    return row
