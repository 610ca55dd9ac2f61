"""SQLAlchemy 2.0 typed models: every text column is Unicode (NVARCHAR on Azure SQL), every time is UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from datetime import time as dtime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Time,
    TypeDecorator,
    Unicode,
    UnicodeText,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeEngine

from crm_core.clock import next_receive_seq

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC (portable to SQLite, PostgreSQL and Azure SQL); returns aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """DATETIME2 on SQL Server (DATETIME rounds to 3 ms and has a narrower range)."""
        if dialect.name == "mssql":
            from sqlalchemy.dialects.mssql import DATETIME2

            return dialect.type_descriptor(DATETIME2())
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert an aware datetime to naive UTC; refuse naive ones (they are ambiguous)."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Mark the stored naive UTC value as UTC."""
        return value.replace(tzinfo=UTC) if value is not None else None


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


# Big integer primary keys where rows grow without bound; SQLite needs INTEGER for autoincrement.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Declarative base with a naming convention (stable constraint names across dialects)."""

    metadata = MetaData(naming_convention=NAMING)


class Role:
    """User roles."""

    ADMIN = "admin"
    LEADER = "leader"
    MEMBER = "member"
    ALL = (ADMIN, LEADER, MEMBER)


class LeadStatus:
    """Lead lifecycle states, in order of progress."""

    NEW = "new"
    QUALIFIED = "qualified"
    MEETING_SCHEDULED = "meeting_scheduled"
    MEETING_DONE = "meeting_done"
    DEMO_SCHEDULED = "demo_scheduled"
    DEMO_DONE = "demo_done"
    WON = "won"
    LOST = "lost"
    ORDER = (NEW, QUALIFIED, MEETING_SCHEDULED, MEETING_DONE, DEMO_SCHEDULED, DEMO_DONE, WON, LOST)
    CLOSED = (WON, LOST)


class User(Base):
    """A salesperson, team leader or admin; found by phone when they write on WhatsApp."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(Unicode(64), unique=True)
    name: Mapped[str] = mapped_column(Unicode(120))
    phone: Mapped[str] = mapped_column(Unicode(20), unique=True)
    email: Mapped[str | None] = mapped_column(Unicode(254))
    password_hash: Mapped[str | None] = mapped_column(Unicode(255))
    role: Mapped[str] = mapped_column(Unicode(16), default=Role.MEMBER)
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    team: Mapped[str | None] = mapped_column(Unicode(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on logout, password change and deactivation: every token carries the value it was issued with.
    token_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    leader: Mapped[User | None] = relationship(remote_side=[id], lazy="raise_on_sql")


class LoginAttempt(Base):
    """Failed logins per login identity (E.164 phone or casefolded username), whether or not a user has it.

    `key` is a SHA-256 of the normalised identity, so names typed by strangers are not stored in clear.
    """

    __tablename__ = "login_attempts"

    key: Mapped[str] = mapped_column(Unicode(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class Lead(Base):
    """A prospect company with its contact, owner, status and qualification details."""

    __tablename__ = "leads"
    __table_args__ = (
        Index("ix_leads_owner_last_activity", "owner_id", "last_activity_at"),
        Index("ix_leads_status_owner", "status", "owner_id"),
        Index("ix_leads_creator_owner", "creator_id", "owner_id"),  # leads a user created for others
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company: Mapped[str] = mapped_column(Unicode(200))
    company_key: Mapped[str] = mapped_column(Unicode(200), index=True)
    contact_name: Mapped[str | None] = mapped_column(Unicode(200))
    phone: Mapped[str | None] = mapped_column(Unicode(20), index=True)
    email: Mapped[str | None] = mapped_column(Unicode(254))
    source: Mapped[str | None] = mapped_column(Unicode(100))
    status: Mapped[str] = mapped_column(Unicode(32), default=LeadStatus.NEW)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    creator_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    address: Mapped[str | None] = mapped_column(UnicodeText)
    turnover: Mapped[str | None] = mapped_column(Unicode(200))
    current_system: Mapped[str | None] = mapped_column(Unicode(200))
    challenges: Mapped[str | None] = mapped_column(UnicodeText)
    industry: Mapped[str | None] = mapped_column(Unicode(200))
    team_size: Mapped[str | None] = mapped_column(Unicode(100))
    lost_reason: Mapped[str | None] = mapped_column(UnicodeText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    owner: Mapped[User] = relationship(foreign_keys=[owner_id], lazy="raise_on_sql")
    creator: Mapped[User] = relationship(foreign_keys=[creator_id], lazy="raise_on_sql")


class Event(Base):
    """A meeting or demo with a lead, at a time, for an assignee."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_assignee_starts", "assignee_id", "starts_at"),
        Index("ix_events_lead_status", "lead_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id"))
    kind: Mapped[str] = mapped_column(Unicode(16))  # meeting | demo
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    has_time: Mapped[bool] = mapped_column(Boolean, default=True)
    assignee_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(Unicode(16), default="scheduled")  # scheduled | done | cancelled
    outcome: Mapped[str | None] = mapped_column(UnicodeText)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Activity(Base):
    """One entry of a lead's history: who did what, when, with structured data."""

    __tablename__ = "activities"
    __table_args__ = (Index("ix_activities_lead_time", "lead_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(Unicode(40))
    text: Mapped[str] = mapped_column(UnicodeText)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


_ORG_STEP = text("team_leader_id IS NULL")


class MessageTemplate(Base):
    """A Message Master step of a team's sequence (or the organisation's): day offset, send time, text, attachment.

    Step numbers are unique per (team, sequence). The organisation's steps have no team; a unique constraint does
    not compare NULLs alike on every database, so they get their own filtered unique index.
    """

    __tablename__ = "message_master"
    __table_args__ = (
        UniqueConstraint("team_leader_id", "sequence", "step", name="uq_message_master_team_sequence_step"),
        Index(
            "uq_message_master_org_sequence_step",
            "sequence",
            "step",
            unique=True,
            sqlite_where=_ORG_STEP,
            postgresql_where=_ORG_STEP,
            mssql_where=_ORG_STEP,
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The leader whose team the step belongs to (crm_core.access); NULL: the organisation's sequence.
    team_leader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sequence: Mapped[str] = mapped_column(Unicode(64), default="post_demo")
    step: Mapped[int] = mapped_column(Integer)
    day_offset: Mapped[int] = mapped_column(Integer)
    send_time: Mapped[dtime] = mapped_column(Time, default=dtime(10, 0))
    text: Mapped[str] = mapped_column(UnicodeText)
    attachment_url: Mapped[str | None] = mapped_column(Unicode(2000))
    attachment_filename: Mapped[str | None] = mapped_column(Unicode(255))
    attachment_mime: Mapped[str | None] = mapped_column(Unicode(127))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class OutboxStatus:
    """Outbox row states."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"
    CANCELLED = "cancelled"


class Outbox(Base):
    """A message the bot decided to send: written in the same transaction as the change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status_due", "status", "due_at"),
        Index("ix_outbox_lead", "lead_id"),
        Index("ix_outbox_recipient_user", "recipient_user_id", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    recipient: Mapped[str] = mapped_column(Unicode(64))  # E.164 phone (whatsapp) or user id (app)
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[str] = mapped_column(Unicode(16), default="whatsapp")  # whatsapp | app
    kind: Mapped[str] = mapped_column(Unicode(32), default="reply")  # reply|notification|reminder|digest|apology
    body: Mapped[str] = mapped_column(UnicodeText)
    attachment_url: Mapped[str | None] = mapped_column(Unicode(2000))
    attachment_filename: Mapped[str | None] = mapped_column(Unicode(255))
    attachment_mime: Mapped[str | None] = mapped_column(Unicode(127))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    urgent: Mapped[bool] = mapped_column(Boolean, default=True)  # False: deferred out of quiet hours
    status: Mapped[str] = mapped_column(Unicode(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(UnicodeText)
    claim_token: Mapped[str | None] = mapped_column(Unicode(36))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    provider_message_id: Mapped[str | None] = mapped_column(Unicode(128))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    template_id: Mapped[int | None] = mapped_column(ForeignKey("message_master.id"))
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"))
    dedupe_key: Mapped[str | None] = mapped_column(Unicode(200), unique=True)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class InboundMessage(Base):
    """A message a user sent (WhatsApp or app); (provider, sender, provider message id) makes processing idempotent.

    The message id is unique per sender, not per provider: a colliding id from another sender (Maytapi ids are
    chosen by the sender's phone) must not turn that sender's message into a "duplicate".
    """

    __tablename__ = "inbound_messages"
    __table_args__ = (
        UniqueConstraint("provider", "sender", "provider_message_id", name="uq_inbound_provider_sender_message"),
        # A sender's unapplied messages in the order they are applied: (sent_at, receive_seq, id).
        Index("ix_inbound_sender_status", "sender", "status", "sent_at", "receive_seq"),
        Index("ix_inbound_lead", "lead_id"),  # a lead's history (GET /api/history/{lead_id})
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    provider: Mapped[str] = mapped_column(Unicode(16))  # maytapi | app | console
    provider_message_id: Mapped[str] = mapped_column(Unicode(200))
    sender: Mapped[str] = mapped_column(Unicode(64))  # E.164 phone
    sender_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(UnicodeText)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())  # the sender's clock (provider timestamp)
    # When our webhook received it (ns since the epoch, strictly increasing per process): breaks ties between
    # messages of one sender with the same whole-second sent_at in the order they reached us.
    receive_seq: Mapped[int] = mapped_column(BigInteger, default=next_receive_seq)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(Unicode(16), default="received")  # received|done|failed|poison
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    intent: Mapped[str | None] = mapped_column(Unicode(32))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id"))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # How the text was read (crm_core.pipeline.process): {"result": ParseResult, "state": what the bot awaited
    # then}. Written before the message is applied when a model was asked (outside any transaction), so a retry
    # never pays for it twice; while a worker waits for the model, {"claim": token, "until": ISO time}.
    parse: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    # A voice note's or a photo's media (crm_core.media): the link and declared type as received, then what came of
    # it — {"kind": "voice"|"image", "url", "mime", "status": heard|unheard|card|not_card|refused|gone|no_ai|caption,
    # "transcript" | "read" (the card's parse), "bytes", …}. Written outside any transaction right after the
    # download and the model call, so a retry never pays twice; while a worker downloads, {"claim", "until"} too.
    media: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))


class ConversationState(Base):
    """What the bot awaits from a user next (qualification details, a choice, a confirmation)."""

    __tablename__ = "conversation_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    awaiting: Mapped[str] = mapped_column(Unicode(32))  # details | choose_lead | confirm_duplicate | confirm_command
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id"))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class LlmCall(Base):
    """One GPT call: model, tokens and outcome (cost tracking)."""

    __tablename__ = "llm_calls"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"), index=True)
    model: Mapped[str] = mapped_column(Unicode(64))
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    latency_ms: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str] = mapped_column(Unicode(32), default="ok")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class QueueMessage(Base):
    """A message on the embedded durable queue (QUEUE_BACKEND=database, the default without Azure Storage).

    Azure Storage Queue semantics in a table: the webhook's INSERT is committed before it answers 200; a receive
    hides the row until visible_at and gives it a new pop receipt; delete needs that receipt. Messages of one
    ordering group (the sender) are handed out in the order they were sent, one at a time (see
    crm_core.queueing.database).
    """

    __tablename__ = "queue_messages"
    __table_args__ = (
        Index("ix_queue_messages_queue_visible", "queue", "visible_at"),
        Index("ix_queue_messages_queue_group", "queue", "group_key", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    queue: Mapped[str] = mapped_column(Unicode(63))
    group_key: Mapped[str | None] = mapped_column(Unicode(64))  # messages of one group are handed out in order
    body: Mapped[str] = mapped_column(UnicodeText)
    inserted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    visible_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    dequeue_count: Mapped[int] = mapped_column(Integer, default=0)
    pop_receipt: Mapped[str | None] = mapped_column(Unicode(36))
    in_flight: Mapped[bool] = mapped_column(Boolean, default=False)  # received, neither settled nor released
