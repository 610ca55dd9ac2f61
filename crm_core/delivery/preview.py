"""`sweep --dry-run`: what one timer tick at a moment would send, read without writing anything.

Nothing is claimed, sent, deferred or planned: the digests that would be written are computed
(crm_core.nurture.digest.due_digests, so none is used up), the due outbox rows are read in the sweep's order, and a
moment inside quiet hours says which of them would wait for its end instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from crm_core.db.models import Lead, Outbox, User
from crm_core.delivery.outbox_delivery import _due
from crm_core.delivery.quiet_hours import quiet_until

if TYPE_CHECKING:
    from crm_core.composition import Container


@dataclass(frozen=True)
class Preview:
    """One message a sweep would send (or defer): to whom, what kind, about which lead, the text and any file."""

    to: str
    name: str | None
    kind: str
    company: str | None
    body: str
    attachment: str | None
    deferred_until: datetime | None = None  # quiet hours: it would wait until then instead


def preview_sweep(container: Container, now: datetime) -> list[Preview]:
    """The messages a sweep at `now` would send (or defer), in sending order; changes nothing."""
    from crm_core.nurture.digest import due_digests

    settings = container.settings
    until = quiet_until(now, settings)
    out: list[tuple[datetime, float, Preview]] = []
    with container.database.transaction() as session:
        for planned in due_digests(session, now, settings):  # written due now, after the rows already there
            user = planned.user
            out.append((now, float("inf"), Preview(user.phone, user.name, "digest", None, planned.body, None, until)))
        rows = session.execute(
            select(Outbox, User.name, Lead.company)
            .outerjoin(User, User.id == Outbox.recipient_user_id)
            .outerjoin(Lead, Lead.id == Outbox.lead_id)
            .where(_due(now))
            .order_by(Outbox.due_at, Outbox.id)
        ).all()
        for row, name, company in rows:
            file = row.attachment_filename or (row.attachment_url.rsplit("/", 1)[-1] if row.attachment_url else None)
            wait = until if until is not None and not row.urgent else None
            preview = Preview(row.recipient, name, row.kind, company, row.body, file, wait)
            out.append((row.due_at, float(row.id), preview))
    out.sort(key=lambda item: (item[0], item[1]))
    return [preview for _, _, preview in out]


def render_preview(items: list[Preview], now: datetime, tz: object) -> str:
    """The dry run's report: one block per message, its text indented as it would arrive."""
    local = now.astimezone(tz)  # type: ignore[arg-type]
    sending = sum(1 for i in items if i.deferred_until is None)
    lines = [
        f"dry run at {local.isoformat(timespec='minutes')}: would send {sending}, "
        f"defer {len(items) - sending} to after quiet hours; nothing was sent, claimed or planned"
    ]
    for number, item in enumerate(items, start=1):
        who = f"{item.name} ({item.to})" if item.name else item.to
        about = f", {item.company}" if item.company else ""
        wait = ""
        if item.deferred_until is not None:
            wait = f", waits until {item.deferred_until.astimezone(tz).strftime('%H:%M')}"  # type: ignore[arg-type]
        lines.append(f"\n#{number} {item.kind} to {who}{about}{wait}")
        lines += [f"  | {line}" for line in item.body.split("\n")]
        if item.attachment:
            lines.append(f"  [attachment: {item.attachment}]")
    return "\n".join(lines)
