"""What every handler gets: the open transaction, the sender, the clock, settings, the nurture port, and ways to
record output."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from crm_core.clock import Clock
from crm_core.db.models import Activity, ConversationState, Lead, Outbox, User
from crm_core.outbox import Attachment, record
from crm_core.ports import Nurture
from crm_core.settings import Settings


class SequenceNurture:
    """The real Nurture port: crm_core.nurture.sequence, imported on first use (not at cold start)."""

    def start_sequence(self, session: Session, **kw: Any) -> int:
        """crm_core.nurture.sequence.start_sequence."""
        from crm_core.nurture import sequence

        return sequence.start_sequence(session, **kw)

    def move_pending(self, session: Session, **kw: Any) -> int:
        """crm_core.nurture.sequence.move_pending."""
        from crm_core.nurture import sequence

        return sequence.move_pending(session, **kw)

    def cancel_pending(self, session: Session, **kw: Any) -> int:
        """crm_core.nurture.sequence.cancel_pending."""
        from crm_core.nurture import sequence

        return sequence.cancel_pending(session, **kw)


@dataclass
class HandlerContext:
    """One message's unit of work: everything a handler changes or sends goes through here."""

    session: Session
    sender: User
    clock: Clock
    settings: Settings
    inbound_id: int | None = None
    lang: str = "en"  # "hi" when the message was written in Devanagari
    reply_channel: str = "whatsapp"  # "app" when the message came from the frontend
    replies: list[Outbox] = field(default_factory=list)
    lead_id: int | None = None  # the lead this message acted on (for the inbound record and history)
    # The sender's conversation state, read by the pipeline together with the message (saves a round trip);
    # used once by handlers.common.load_state when state_read is True.
    state_read: bool = False
    state: ConversationState | None = None
    # What the handlers did so far, for a message that carries several commands (handlers.run_all): how many
    # history entries were written and the last conversation state saved.
    logged: int = 0
    saved_state: ConversationState | None = None
    nurture: Nurture = field(default_factory=SequenceNurture)  # the follow-ups; tests pass a fake

    def now(self) -> datetime:
        """The current moment (UTC)."""
        return self.clock.now()

    def reply(self, text: str, *, lead: Lead | None = None) -> Outbox:
        """Record a reply to the sender on the channel they wrote from."""
        row = record(
            self.session,
            to=self.sender,
            body=text,
            kind="reply",
            channel=self.reply_channel,
            lead_id=lead.id if lead else self.lead_id,
            inbound_id=self.inbound_id,
            due_at=self.now(),
        )
        self.replies.append(row)
        return row

    def notify(
        self,
        user: User,
        text: str,
        *,
        lead: Lead | None = None,
        kind: str = "notification",
        attachment: Attachment | None = None,
    ) -> Outbox | None:
        """Record a WhatsApp message to another team member (nothing when it is the sender)."""
        if user.id == self.sender.id:
            return None
        return record(
            self.session,
            to=user,
            body=text,
            kind=kind,
            channel="whatsapp",
            lead_id=lead.id if lead else self.lead_id,
            inbound_id=self.inbound_id,
            due_at=self.now(),
            attachment=attachment,
        )

    def log(self, lead: Lead, kind: str, text: str, data: dict[str, Any] | None = None) -> Activity:
        """Add an activity to the lead's history (actor: the sender) and touch its last activity time."""
        now = self.now()
        row = Activity(lead_id=lead.id, actor_id=self.sender.id, kind=kind, text=text, data=data, created_at=now)
        self.session.add(row)
        lead.last_activity_at = now
        self.lead_id = lead.id
        self.logged += 1
        return row
