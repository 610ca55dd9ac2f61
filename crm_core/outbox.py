"""Recording outgoing messages: handlers, nurture and the pipeline add outbox rows, never send directly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from crm_core.db.models import Outbox, User, utcnow

PRECLAIM_KEY = "outbox_preclaim"


@dataclass
class PreClaim:
    """Set on `session.info[PRECLAIM_KEY]` by a caller that sends right after commit (the queue function).

    Rows recorded in that session that are due now (and urgent, or outside quiet hours) are inserted already
    claimed — status 'sending', this token and a lease — so the post-commit sender needs no claim transaction.
    If the process dies before sending, the sweep reclaims them when the lease runs out.
    """

    token: str
    now: Callable[[], datetime]  # the clock; the leases count from `since`
    since: datetime
    lease: timedelta  # for the first row
    per_row: timedelta  # added for each further row (they are sent one after another)
    quiet: bool = False  # inside quiet hours: non-urgent rows stay pending for the sweep to defer
    rows: list[Outbox] = field(default_factory=list)  # born claimed
    others: list[Outbox] = field(default_factory=list)  # recorded pending (not due yet, or quiet hours)

    def take(self, row: Outbox) -> None:
        """Claim a freshly recorded row when it is due now."""
        if row.due_at > self.now() or (self.quiet and not row.urgent):
            self.others.append(row)
            return
        row.status = "sending"
        row.claim_token = self.token
        row.claimed_until = self.since + self.lease + self.per_row * len(self.rows)
        self.rows.append(row)


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
    preclaim = session.info.get(PRECLAIM_KEY)
    if isinstance(preclaim, PreClaim):
        preclaim.take(row)
    session.add(row)
    return row
