"""The queue function: apply each inbound message exactly once, in the order its sender wrote them.

How (see docs/pipeline.md for the reasoning):
1. Record the message: INSERT into inbound_messages, whose UNIQUE(provider, sender, provider_message_id) turns
   a redelivery (or a second copy processed at the same moment) into "already recorded". Own transaction, so
   the sender's other workers can see that this message exists.
2. Apply in order, one message per transaction: lock the sender (SELECT … FOR UPDATE on the users row;
   SQLite's BEGIN IMMEDIATE serialises writers anyway), take the sender's oldest not-yet-applied message in
   (sent_at, receive_seq, id) order (receive_seq is the webhook's receive stamp, so messages with the same
   whole-second provider timestamp are applied in the order they reached us), run the handlers on it, store
   intent/lead/result, the parse, the LLM call and every outbox row the handlers wrote, commit. Repeat until
   this worker's own message is applied. A message is applied only once it was recorded at least
   ORDERING_WINDOW_SECONDS ago: until then a predecessor handed over at about the same time may not be recorded
   yet, so its queue message is re-enqueued with a delay and acknowledged.
2a. No model is asked while a transaction is open. Under the lock the parser answers only when it can without
   its slow part (`QuickParser.parse_quick`: the rules are sure, or no model is configured); conversation-state
   answers (a number, yes/no) need no parse at all. Otherwise the transaction is rolled back (nothing was
   written), the message is claimed for parsing (a short transaction; another worker that meets the claim
   waits, so no two workers pay for one message), the parser runs with no connection held, and its answer is
   stored on the inbound row (`parse`) in another short transaction. The apply transaction then runs again with
   that stored parse; a retry (queue redelivery after a crash or a transient error) finds it and never asks the
   model again. If what the bot awaits from the sender (the conversation state) changed since the stored parse
   was made, the rules read the text again under the lock with the fresh context and their answer is used when
   they are sure; otherwise the stored answer stands (the model is never asked twice for one message).
   Why the rules run under the lock rather than before it: the parse context is then read in the apply
   transaction itself (one statement, as before) and is never stale, and a message the rules are sure of costs
   no extra round trip; the rules take well under a millisecond.
2b. Voice notes and photos (crm_core.media) take the same road: under the lock only what needs no I/O is decided
   (no AI service, a link outside MEDIA_URL_HOSTS — never resolved nor contacted —, a declared type that is not
   audio/image, a photo whose caption is a command of its own); otherwise the transaction is rolled back, the row
   is claimed (`media.claim`), the media downloaded and transcribed / read as a visiting card with no connection
   held, and the outcome stored on the row (`media`; a transcript also as `text`). The apply then runs the
   transcript exactly like a typed message (the first reply starts with "🎤 “…”") or the card's new_lead command
   (with "🪪" and what was read); a retry finds the outcome stored and never downloads or pays again.
3. After each commit, deliver the outbox rows just written; they were inserted already claimed (leased), so this
   is one send and one conditional UPDATE each. The sweep retries failures and takes over a dead worker's rows.

Failures: TransientError and transient database errors propagate (the transaction rolls back and the queue
retries; after maxDequeueCount the poison queue takes over); PermanentError and validation errors are
answered to the sender and the message is marked failed, never retried.

A number that is not an active user's is recorded (`done`, intent `unregistered`) and answered at most once a day
(one calendar day in the team's zone, and never twice within 24 hours): a reply to every message would feed bot
loops and get the WhatsApp number banned.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_core.clock import next_receive_seq
from crm_core.commands import ParseResult
from crm_core.composition import Container, get_container
from crm_core.db.engine import is_transient
from crm_core.db.models import ConversationState, InboundMessage, LlmCall, Outbox, OutboxStatus, User
from crm_core.delivery.outbox_delivery import detach_preclaimed, start_preclaim
from crm_core.envelope import Envelope, clean_text
from crm_core.errors import PermanentError, TransientError
from crm_core.handlers.context import HandlerContext
from crm_core.media import service as media
from crm_core.outbox import record
from crm_core.ports import ParseContext, Parser, QuickParser

log = logging.getLogger("crm_core.pipeline")

DEVANAGARI = re.compile(r"[\u0900-\u097F]")

UNREGISTERED_REPLY = (
    "Hello! This number is not registered with the team's CRM, so I can't act on messages from it. "
    "Please ask your admin to add you, then write again."
)
UNSUPPORTED_REPLY = "Sorry, I can only read typed messages. Please type it and send it again."
UNSUPPORTED_REPLY_HI = "माफ़ कीजिए, मैं सिर्फ़ लिखे हुए संदेश पढ़ सकता हूँ। कृपया टाइप करके दोबारा भेजें।"
TOO_LONG_REPLY = "That message is too long for me. Please split it into shorter messages."
PERMANENT_REPLY = "Sorry, I couldn't do that: {reason}"
APOLOGY_REPLY = (
    "Sorry, I could not process your message “{snippet}” because of a problem on our side. "
    "Please send it again in a few minutes."
)


class Status:
    """inbound_messages.status values."""

    RECEIVED = "received"
    DONE = "done"
    FAILED = "failed"
    POISON = "poison"


@dataclass
class Step:
    """What one ordered-apply transaction did."""

    applied_id: int | None = None  # the inbound row applied in this step
    own_done: bool = False  # this worker's message is applied (now or earlier)
    wait_seconds: float = 0.0  # > 0: the next message is too young (or with the model); try again after this long
    asked_model: bool = False  # this step asked the parser's slow part (outside any transaction) and stored it
    outbox_ids: list[int] = field(default_factory=list)  # pending rows to claim and send after commit
    claimed: list[Outbox] = field(default_factory=list)  # rows born claimed in this transaction (detached)


class _Permanent(Exception):
    """A message's handlers failed for good (PermanentError / ValidationError); its transaction is rolled back."""

    def __init__(self, row_id: int, error: Exception) -> None:
        super().__init__(f"inbound message {row_id} failed permanently")
        self.row_id = row_id
        self.error = error


class _PredecessorFailed(Exception):
    """Applying an older message of the same sender failed for a non-transient reason."""

    def __init__(self, row_id: int) -> None:
        super().__init__(f"inbound message {row_id} failed")
        self.row_id = row_id


class _NeedsModel(Exception):
    """A message needs the parser's slow part (a model): asked outside the transaction, which is rolled back."""

    def __init__(self, row_id: int, text: str, context: ParseContext, state_key: str | None) -> None:
        super().__init__(f"inbound message {row_id} needs the model")
        self.row_id = row_id
        self.text = text
        self.context = context  # exactly what the rules saw, read under the lock
        self.state_key = state_key


class _NeedsMedia(Exception):
    """A voice note or photo must be downloaded and read by a model: done outside the transaction (rolled back)."""

    def __init__(self, row_id: int) -> None:
        super().__init__(f"inbound message {row_id} needs its media read")
        self.row_id = row_id


def _respond(ctx: HandlerContext, text: str, parser: Any) -> Any:
    """The workflows' entry point (crm_core.handlers.respond); a seam the tests replace.

    `parser` is the message's ready ParseResult or a Parser that never asks a model (_UnderLock).
    """
    from crm_core.handlers import respond

    return respond(ctx, text, parser)


def _is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, TransientError) or is_transient(exc)


def language_of(text: str) -> str:
    """'hi' when the text contains Devanagari, else 'en'."""
    return "hi" if DEVANAGARI.search(text or "") else "en"


def _parse_envelope(body: str) -> Envelope | None:
    try:
        return Envelope.from_json(body)
    except (ValidationError, ValueError) as exc:
        log.error("dropping a queue message that is not an envelope: %s", str(exc).splitlines()[0])
        return None


def record_inbound(container: Container, env: Envelope, dequeue_count: int = 1) -> int:
    """Insert the inbound row (or find it when it already exists); return its id."""
    kind: dict[str, Any] | None = None
    if env.kind != "text":
        kind = {"kind": env.kind, "media_type": env.media_type}
    reference: dict[str, Any] | None = None
    if env.kind in media.MEDIA_KINDS:  # kept whatever comes of it (no AI configured, a refused link, …)
        reference = {"kind": env.kind, "url": env.media_url, "mime": env.media_mime, "media_type": env.media_type}
    try:
        with container.database.transaction() as session:
            row = InboundMessage(
                provider=env.provider,
                provider_message_id=env.message_id,
                sender=env.sender,
                text=env.text,
                sent_at=env.sent_at,
                receive_seq=env.receive_seq if env.receive_seq is not None else next_receive_seq(),
                received_at=container.clock.now(),
                status=Status.RECEIVED,
                attempts=max(dequeue_count, 0),
                result=kind,
                media=reference,
            )
            session.add(row)
            session.flush()
            return row.id
    except IntegrityError:
        pass  # a redelivery, or another copy being processed right now
    with container.database.transaction() as session:
        found = session.scalar(
            select(InboundMessage).where(
                InboundMessage.provider == env.provider,
                InboundMessage.sender == env.sender,
                InboundMessage.provider_message_id == env.message_id,
            )
        )
        if found is None:
            raise TransientError(f"inbound message {env.message_id} clashed but cannot be found")
        if dequeue_count > found.attempts and found.status == Status.RECEIVED:
            found.attempts = dequeue_count
        return found.id


def _lock_sender(session: Session, phone: str) -> User | None:
    """The sender's users row, locked until commit (serialises one sender's messages)."""
    stmt = (
        select(User)
        .where(User.phone == phone)
        .with_for_update()  # PostgreSQL; SQLite is serialised by BEGIN IMMEDIATE
        .with_hint(User, "WITH (UPDLOCK, ROWLOCK)", dialect_name="mssql")  # SQL Server ignores FOR UPDATE
    )
    return session.scalar(stmt)


def _pending_outbox_ids(session: Session, inbound_id: int) -> list[int]:
    """Outbox rows written for a message (or still in this session) that are waiting to be sent.

    'sending' rows are included: `deliver_now` takes one over only once its lease ran out (a crashed worker).
    """
    waiting = (OutboxStatus.PENDING, OutboxStatus.SENDING)
    ids = set(session.scalars(select(Outbox.id).where(Outbox.inbound_id == inbound_id, Outbox.status.in_(waiting))))
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Outbox) and obj.status == OutboxStatus.PENDING and obj.id is not None:
            ids.add(obj.id)
    return sorted(ids)


def _reply_to(session: Session, row: InboundMessage, user: User | None, body: str, kind: str = "reply") -> Outbox:
    channel = "app" if row.provider == "app" and user is not None else "whatsapp"
    return record(
        session,
        to=user if user is not None else row.sender,
        body=body,
        kind=kind,
        channel=channel,
        inbound_id=row.id,
    )


def _unregistered_reply_key(container: Container, session: Session, phone: str) -> str | None:
    """The outbox dedupe key for today's one reply to an unregistered number, or None when it was answered today
    or within the last 24 hours."""
    now = container.clock.now()
    today = now.astimezone(container.settings.tz).date()
    keys = {f"unregistered:{phone}:{day.isoformat()}": day for day in (today, today - timedelta(days=1))}
    for key, created_at in session.execute(
        select(Outbox.dedupe_key, Outbox.created_at).where(Outbox.dedupe_key.in_(list(keys)))
    ):
        if keys.get(str(key)) == today or created_at > now - timedelta(hours=24):
            return None
    return f"unregistered:{phone}:{today.isoformat()}"


def _answer_unregistered(container: Container, session: Session, own: InboundMessage) -> Step:
    """Record a message from a number that is no active user's; answer it only if the number was not answered today."""
    now = container.clock.now()
    key = _unregistered_reply_key(container, session, own.sender)
    claimed = session.execute(
        update(InboundMessage)
        .where(InboundMessage.id == own.id, InboundMessage.status == Status.RECEIVED)
        .values(
            status=Status.DONE,
            intent="unregistered",
            processed_at=now,
            result={"unregistered": True, "answered": key is not None},
        )
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if not claimed:
        return Step(own_done=True, outbox_ids=_pending_outbox_ids(session, own.id))
    if key is None:
        log.info("message %s is from an unregistered number answered today already; recorded, not answered", own.id)
        return Step(applied_id=own.id, own_done=True)
    try:
        with session.begin_nested():  # another message of this number, at the same moment, may take the key
            row = record(
                session,
                to=own.sender,
                body=UNREGISTERED_REPLY,
                kind="reply",
                channel="whatsapp",
                inbound_id=own.id,
                dedupe_key=key,
                due_at=now,
            )
            row.created_at = now  # the 24-hour rule reads it (the pipeline's clock, not the wall clock)
            session.flush()
    except IntegrityError:
        session.execute(
            update(InboundMessage)
            .where(InboundMessage.id == own.id)
            .values(result={"unregistered": True, "answered": False})
            .execution_options(synchronize_session=False)
        )
        log.info("message %s is from an unregistered number answered just now; recorded, not answered", own.id)
        return Step(applied_id=own.id, own_done=True)
    log.info("message %s is from an unregistered number; answered politely (once today)", own.id)
    return Step(applied_id=own.id, own_done=True, outbox_ids=[row.id])


def _settles_at(row: InboundMessage, window: timedelta) -> datetime:
    """When an earlier message of the sender, handed over about when this one was, has surely been recorded.

    Measured from our own receipt, not the sender's clock: after a backlog the queue hands over old messages
    together, and they must still be applied in the order sent.
    """
    return row.received_at + window


def _apply(
    container: Container, session: Session, user: User, row: InboundMessage, state: ConversationState | None = None
) -> None:
    """Run the handlers on one message and record the outcome on its row (inside the caller's transaction)."""
    settings, clock = container.settings, container.clock
    kind = (row.result or {}).get("kind", "text")
    lang = language_of(row.text)
    ctx = HandlerContext(
        session=session,
        sender=user,
        clock=clock,
        settings=settings,
        inbound_id=row.id,
        lang=lang,
        reply_channel="app" if row.provider == "app" else "whatsapp",
        state_read=True,
        state=state,
    )
    result: dict[str, Any] = {}
    status, intent, lead_id = Status.DONE, None, None
    # A voice note or photo: answered here (no AI, a refused link, …), run as the card's command, or handled as
    # its transcript / caption below. _NeedsMedia propagates: the caller downloads and reads it outside.
    plan = _media_plan(container, ctx, user, row, state) if kind in media.MEDIA_KINDS else None
    if kind == "unsupported":
        ctx.reply(UNSUPPORTED_REPLY_HI if user_prefers_hindi(session, user) else UNSUPPORTED_REPLY)
        intent, result = "unsupported", {"kind": kind, "media_type": (row.result or {}).get("media_type")}
    elif kind == "too_long":
        ctx.reply(TOO_LONG_REPLY)
        intent, result = "too_long", {"kind": kind}
    elif plan is not None and plan.reply is not None:
        ctx.reply(plan.reply)
        intent, result = plan.intent, {"kind": kind, "media": plan.status}
    elif plan is not None and plan.card is not None:
        from crm_core.media.cards import card_echo

        outcome = _respond(ctx, "", plan.card)  # "": a card answers no pending question; it is a new lead
        raw_intent = getattr(outcome, "intent", None)
        intent = str(getattr(raw_intent, "value", raw_intent)) if raw_intent is not None else None
        lead_id = getattr(outcome, "lead_id", None) or ctx.lead_id
        _echo_first(ctx, card_echo(plan.card.command, ctx.lang))
        result = {"intent": intent, "lead_id": lead_id, "replies": len(ctx.replies), "kind": kind}
        result.update(source=plan.card.source, confidence=plan.card.confidence, media=plan.status)
    else:
        # A PermanentError / ValidationError propagates: the caller rolls the whole transaction back (so
        # nothing the handler did survives) and records the failure in a fresh one (_record_failure).
        # _NeedsModel propagates too: the caller asks the model outside the transaction (_parse_outside).
        stored, parsed_in = stored_parse(row)
        key = state_key(state, clock.now())
        parser: Parser | ParseResult = (
            stored if stored is not None and parsed_in == key else _UnderLock(container.parser, row.id, key, stored)
        )
        outcome = _respond(ctx, row.text, parser)
        parse = getattr(outcome, "parse", None)
        raw_intent = getattr(outcome, "intent", None)
        intent = str(getattr(raw_intent, "value", raw_intent)) if raw_intent is not None else None
        lead_id = getattr(outcome, "lead_id", None) or ctx.lead_id
        result = {"intent": intent, "lead_id": lead_id, "replies": len(ctx.replies)}
        if parse is not None:
            result.update(source=parse.source, confidence=parse.confidence)
            if parse is not stored and isinstance(parse, ParseResult):
                row.parse = _parse_record(parse, key, replaced=stored)
        paid = stored if stored is not None else parse  # a stored parse is the one a model was paid for
        if paid is not None:
            llm = _llm_call(container, row.id, paid)
            if llm is not None:
                session.add(llm)
        if plan is not None:
            result.update(kind=kind, media=plan.status)
            if plan.echo:
                _echo_first(ctx, plan.echo)
    row.status = status
    row.sender_user_id = user.id
    row.intent = intent[:32] if intent else None
    row.lead_id = lead_id
    row.result = result
    row.processed_at = clock.now()
    session.flush()


def _record_failure(container: Container, sender: str, own_id: int, failed: _Permanent) -> Step:
    """Mark a message that failed permanently as failed and answer why (its changes were rolled back)."""
    exc = failed.error
    reason = str(exc).splitlines()[0] if str(exc) else "that message could not be understood"
    with container.database.transaction() as session:
        user = _lock_sender(session, sender)
        row = session.get(InboundMessage, failed.row_id, populate_existing=True)
        if row is None or row.status != Status.RECEIVED or user is None:
            return Step()  # someone else settled it meanwhile; the caller looks again
        preclaim = start_preclaim(container, session)
        record(
            session,
            to=user,
            body=PERMANENT_REPLY.format(reason=reason) if isinstance(exc, ValidationError) else reason,
            kind="reply",
            channel="app" if row.provider == "app" else "whatsapp",
            inbound_id=row.id,
            due_at=container.clock.now(),
        )
        row.status = Status.FAILED
        row.sender_user_id = user.id
        row.intent = "error"
        row.lead_id = None
        row.result = {"error": reason[:500], "permanent": True}
        row.processed_at = container.clock.now()
        claimed, pending = detach_preclaimed(session, preclaim)
    log.info("message %s failed permanently: %s", row.id, reason)
    return Step(applied_id=failed.row_id, own_done=failed.row_id == own_id, outbox_ids=pending, claimed=claimed)


def user_prefers_hindi(session: Session, user: User) -> bool:
    """Whether the user's last typed message was in Devanagari (for replies to voice notes)."""
    last = session.scalar(
        select(InboundMessage.text)
        .where(InboundMessage.sender_user_id == user.id, InboundMessage.text != "")
        .order_by(InboundMessage.id.desc())
        .limit(1)
    )
    return language_of(last or "") == "hi"


def _llm_call(container: Container, inbound_id: int, parse: Any) -> LlmCall | None:
    """The cost record for a parse that called GPT (also when the rules' answer was kept), else None."""
    tokens_used = int(getattr(parse, "tokens_used", 0) or 0)
    if parse.source != "gpt" and not tokens_used:
        return None
    prompt = int(getattr(parse, "prompt_tokens", 0) or 0)
    completion = int(getattr(parse, "completion_tokens", 0) or 0)
    if not (prompt or completion):
        prompt = tokens_used
    return LlmCall(
        inbound_id=inbound_id,
        model=str(getattr(parse, "model", None) or _model_name(container))[:64],
        prompt_tokens=prompt,
        completion_tokens=completion,
        latency_ms=round(getattr(parse, "latency_ms", 0) or 0),
        outcome="ok" if parse.source == "gpt" else "not_used",
        created_at=container.clock.now(),
    )


def _model_name(container: Container) -> str:
    s = container.settings
    return s.azure_openai_deployment if s.azure_openai_endpoint and s.azure_openai_deployment else s.openai_model


def _own_and_next(
    session: Session, sender: str, user: User | None, own_id: int, skip: set[int]
) -> tuple[InboundMessage | None, InboundMessage | None, ConversationState | None]:
    """Our own inbound row, the sender's oldest unapplied one (not in `skip`) and the sender's conversation
    state, fresh, in one SELECT (run after the sender is locked, so nothing of theirs changes meanwhile)."""
    oldest = select(InboundMessage.id).where(InboundMessage.sender == sender, InboundMessage.status == Status.RECEIVED)
    if skip:
        oldest = oldest.where(InboundMessage.id.not_in(skip))
    oldest = oldest.order_by(InboundMessage.sent_at, InboundMessage.receive_seq, InboundMessage.id).limit(1)
    where = or_(InboundMessage.id == own_id, InboundMessage.id == oldest.scalar_subquery())
    state: ConversationState | None = None
    if user is not None:
        pairs = session.execute(
            select(InboundMessage, ConversationState)
            .outerjoin(ConversationState, ConversationState.user_id == user.id)
            .where(where)
            .execution_options(populate_existing=True)
        ).all()
        rows = [row for row, _ in pairs]
        state = next((found for _, found in pairs if found is not None), None)
    else:
        rows = list(session.scalars(select(InboundMessage).where(where).execution_options(populate_existing=True)))
    own = next((row for row in rows if row.id == own_id), None)
    others = [row for row in rows if row.id != own_id]
    if others:
        return own, others[0], state
    # Our row is never skipped, so while it is unapplied the oldest is it or an earlier one.
    return own, own if own is not None and own.status == Status.RECEIVED else None, state


def _apply_next(container: Container, sender: str, own_id: int, skip: set[int], drain: bool = False) -> Step:
    """One transaction: lock the sender, apply their oldest settled unapplied message.

    drain: our own message is applied already; apply the sender's next one if there is one (see _drain).
    """
    window = timedelta(seconds=container.settings.ordering_window_seconds)
    with container.database.transaction() as session:
        user = _lock_sender(session, sender)
        own, nxt, state = _own_and_next(session, sender, user, own_id, skip)
        if own is None:
            raise TransientError(f"inbound message {own_id} is missing")
        if own.status != Status.RECEIVED and not (drain and nxt is not None):
            return Step(own_done=True, outbox_ids=_pending_outbox_ids(session, own_id))
        preclaim = start_preclaim(container, session)
        if user is None or not user.active:
            step = _answer_unregistered(container, session, own)
            step.claimed, _ = detach_preclaimed(session, preclaim)
            claimed_ids = {row.id for row in step.claimed}
            step.outbox_ids = [i for i in step.outbox_ids if i not in claimed_ids]
            return step
        if nxt is None:  # only possible when our own row is skipped; cannot happen, but never loop
            return Step(own_done=True)
        now = container.clock.now()
        settles = _settles_at(nxt, window)
        if settles > now:
            return Step(wait_seconds=(settles - now).total_seconds())
        try:
            _apply(container, session, user, nxt, state)
        except (_NeedsModel, _NeedsMedia):
            raise  # rolls this transaction back; _next_step asks the model with no transaction open
        except (PermanentError, ValidationError) as exc:
            raise _Permanent(nxt.id, exc) from exc
        except Exception as exc:
            if nxt.id != own_id and not _is_retryable(exc):
                raise _PredecessorFailed(nxt.id) from exc
            raise
        # nxt was never applied before, so every row written for it was written in this transaction.
        claimed, pending = detach_preclaimed(session, preclaim)
        return Step(applied_id=nxt.id, own_done=nxt.id == own_id, outbox_ids=pending, claimed=claimed)


def _next_step(container: Container, sender: str, own_id: int, skip: set[int], drain: bool = False) -> Step:
    """Apply the sender's next message; when it needs a model, ask it with no transaction open first."""
    try:
        return _apply_next(container, sender, own_id, skip, drain)
    except _NeedsModel as need:
        return _parse_outside(container, sender, own_id, need)
    except _NeedsMedia as need:
        return _media_outside(container, sender, own_id, need)


DRAIN_LIMIT = 20  # messages a worker applies for its sender after its own (bounded work per invocation)


def _drain(container: Container, sender: str, own_id: int, skip: set[int]) -> None:
    """After a model call, apply the sender's messages that arrived meanwhile (their workers were told to wait).

    They are applied as soon as the model has answered instead of when their deferred copies come back (those then
    find them done). Best effort: a message that fails or must wait is left to its own queue copy.
    """
    for _ in range(DRAIN_LIMIT):
        try:
            step = _next_step(container, sender, own_id, skip, drain=True)
        except Exception as exc:
            log.info("stopped applying %s's later messages: %s", sender, type(exc).__name__)
            return
        _deliver(container, step.outbox_ids, step.claimed)
        if step.applied_id is None and not step.asked_model:
            return


# --- parsing outside the transaction ---------------------------------------------------------------------------

PARSE_POLL_SECONDS = 2.0  # how soon a worker looks again while another one waits for the model
PARSE_FRESH_SECONDS = 10.0  # a claim older than this is probably a dead worker's: wait for its lease instead


class _UnderLock:
    """The parser respond() gets under the sender's lock: it never asks a model there.

    It answers with the parser's quick part (QuickParser.parse_quick) when that is enough, raises _NeedsModel
    when it is not, and, when a stored parse was made while the bot awaited something else, prefers the rules'
    fresh reading only when they are sure (else the stored, model-made reading stands).
    """

    def __init__(self, parser: Parser, row_id: int, key: str | None, stored: ParseResult | None) -> None:
        self.parser = parser
        self.row_id = row_id
        self.key = key
        self.stored = stored

    def parse(self, text: str, ctx: ParseContext) -> ParseResult:
        """The quick answer, the stored one, or _NeedsModel (see the class)."""
        quick = self.parser.parse_quick(text, ctx) if isinstance(self.parser, QuickParser) else None
        if self.stored is not None:
            return quick if quick is not None and quick.source == "rules" else self.stored
        if quick is not None:
            return quick
        raise _NeedsModel(self.row_id, text, ctx, self.key)


def state_key(state: ConversationState | None, now: datetime) -> str | None:
    """What the bot awaits from the sender, as a short comparable key (None: nothing, or it has expired)."""
    if state is None or state.expires_at <= now:
        return None
    what = json.dumps([state.awaiting, state.lead_id, state.data], sort_keys=True, default=str)
    return f"{state.awaiting}:{hashlib.sha256(what.encode()).hexdigest()[:16]}"


def stored_parse(row: InboundMessage) -> tuple[ParseResult | None, str | None]:
    """The parse stored on an inbound row and the state key it was made under ((None, None) when none)."""
    held = row.parse or {}
    raw = held.get("result")
    if not isinstance(raw, dict):
        return None, None
    try:
        return ParseResult.model_validate(raw), held.get("state")
    except ValidationError:
        log.warning("inbound message %s has an unreadable stored parse; it is parsed again", row.id)
        return None, None


def _parse_record(result: ParseResult, key: str | None, replaced: ParseResult | None = None) -> dict[str, Any]:
    """inbound_messages.parse: the parse (compact: empty fields left out; who answered always shown) and the
    state key it was made under; `stale`: a model's reading set aside because the state changed meanwhile."""
    out: dict[str, Any] = {"result": _compact(result), "state": key}
    if replaced is not None:
        out["stale"] = _compact(replaced)
    return out


def _compact(result: ParseResult) -> dict[str, Any]:
    return {**result.model_dump(mode="json", exclude_defaults=True), "source": result.source}


def parse_lease(container: Container) -> timedelta:
    """How long a claim to parse a message lasts: the longest a model call may take with the SDK's retries."""
    s = container.settings
    return timedelta(seconds=s.llm_timeout_seconds * (s.llm_max_retries + 1) + 15)


def _parse_outside(container: Container, sender: str, own_id: int, need: _NeedsModel) -> Step:
    """Ask the parser (rules, then the model) with no transaction open, and store its answer on the row.

    Returns a Step to look again (the stored parse is then used under the lock), or one that waits while another
    worker holds the claim on this message.
    """
    token = uuid.uuid4().hex
    wait = _claim_parse(container, sender, need.row_id, token)
    if wait is not None:
        return Step(wait_seconds=wait)
    try:
        result = container.parser.parse(need.text, need.context)  # no connection and no lock held meanwhile
        _store_parse(container, sender, need.row_id, result, need.state_key)
    except Exception as exc:
        _release_parse(container, sender, need.row_id, token)
        if isinstance(exc, (PermanentError, ValidationError)):
            raise _Permanent(need.row_id, exc) from exc
        if need.row_id != own_id and not _is_retryable(exc):
            raise _PredecessorFailed(need.row_id) from exc
        raise
    return Step(asked_model=True)


def _claim_parse(container: Container, sender: str, row_id: int, token: str) -> float | None:
    """Claim a message for parsing: None when claimed; else seconds to wait (0: settled meanwhile, look again)."""
    now = container.clock.now()
    lease = parse_lease(container)
    with container.database.transaction() as session:
        _lock_sender(session, sender)
        row = session.get(InboundMessage, row_id, populate_existing=True)
        if row is None or row.status != Status.RECEIVED:
            return 0.0
        if stored_parse(row)[0] is not None:
            return 0.0
        held = row.parse or {}
        until = _moment(held.get("until"))
        if held.get("claim") and until is not None and until > now:
            left = (until - now).total_seconds()
            fresh = (lease.total_seconds() - left) <= PARSE_FRESH_SECONDS
            log.info("inbound message %s is being parsed by another worker; waiting", row_id)
            return min(left, PARSE_POLL_SECONDS) if fresh else left
        row.parse = {"claim": token, "until": (now + lease).isoformat()}
    return None


def _store_parse(container: Container, sender: str, row_id: int, result: ParseResult, key: str | None) -> None:
    """Keep a parse on its inbound row (first answer wins), so applying it, now or on a retry, needs no model."""
    with container.database.transaction() as session:
        _lock_sender(session, sender)
        row = session.get(InboundMessage, row_id, populate_existing=True)
        if row is None or row.status != Status.RECEIVED:
            log.info("inbound message %s was settled while its parse was made; the parse is dropped", row_id)
            llm = _llm_call(container, row_id, result) if row is not None else None
            if llm is not None:
                session.add(llm)  # what was paid is still counted
            return
        if stored_parse(row)[0] is not None:
            return
        row.parse = _parse_record(result, key)


def _release_parse(container: Container, sender: str, row_id: int, token: str) -> None:
    """Give up a claim after a failed parse so the retry need not wait for the lease (best effort)."""
    try:
        with container.database.transaction() as session:
            _lock_sender(session, sender)
            row = session.get(InboundMessage, row_id, populate_existing=True)
            if row is not None and (row.parse or {}).get("claim") == token:
                row.parse = None
    except Exception:
        log.warning("could not release the parse claim on inbound message %s; it lapses by itself", row_id)


def _moment(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


# --- voice notes and photos: download and read outside the transaction ----------------------------------------

ECHO_CHARS = 300  # the transcript shown back at the start of the reply (all of it is stored)


@dataclass
class _MediaPlan:
    """What to do with a voice note or photo under the lock (crm_core.media.service statuses)."""

    status: str
    intent: str | None = None
    reply: str | None = None  # answered with this alone (no AI, a refused link, nothing heard, no card …)
    card: ParseResult | None = None  # run the card's command (the normal new-lead flow)
    echo: str | None = None  # what was heard, at the start of the first reply (the transcript runs as text)


def _media_plan(
    container: Container, ctx: HandlerContext, user: User, row: InboundMessage, state: ConversationState | None
) -> _MediaPlan:
    """Decide, with no I/O, what a media message needs; raise _NeedsMedia when it must be downloaded and read.

    Decided here and stored on the row: no AI service configured, a link that must not be fetched (never resolved
    nor contacted), a declared type that is neither audio nor image, and a photo whose caption is a command of its
    own (crm_core.media.cards.card_wanted). What the download and the model found was stored by _store_media.
    """
    from crm_core.media.cards import obviously_card

    ref = {k: v for k, v in (row.media or {}).items() if k not in ("claim", "until")}
    kind = str(ref.get("kind") or (row.result or {}).get("kind"))
    status = ref.get("status")
    if status is None:
        if kind == "image" and not _card_wanted(container, ctx, row.text, state):
            decided: dict[str, Any] | None = {"status": media.CAPTION}
        else:
            reader = container.transcriber if kind == "voice" else container.card_reader
            decided = media.precheck(kind, ref.get("url"), ref.get("mime"), container.media_fetcher, reader is not None)
        if decided is None:
            raise _NeedsMedia(row.id)
        ref = {**ref, **decided}
        row.media = ref
        status = decided["status"]
    if status == media.HEARD:
        heard = " ".join(str(ref.get("transcript") or row.text).split())
        heard = heard if len(heard) <= ECHO_CHARS else heard[: ECHO_CHARS - 1] + "…"
        return _MediaPlan(status, echo=f"🎤 “{heard}”")
    if status == media.CAPTION or (status == media.NOT_CARD and row.text.strip() and not obviously_card(row.text)):
        return _MediaPlan(status)  # the caption, as if typed (a caption asking for a card is answered "no card")
    if status == media.CARD:
        try:
            return _MediaPlan(status, card=ParseResult.model_validate(ref.get("read")))
        except ValidationError:
            log.warning("inbound message %s has an unreadable stored card; answered as no card", row.id)
            status = media.NOT_CARD
    reply = _media_reply(container, ctx, user, kind, ref, status)
    return _MediaPlan(status, intent=f"{kind}_{status}"[:32], reply=reply)


def _card_wanted(container: Container, ctx: HandlerContext, caption: str, state: ConversationState | None) -> bool:
    """Whether a photo is read as a visiting card, or handled as its caption (a command of its own)."""
    from crm_core.media.cards import card_wanted, obviously_card

    if obviously_card(caption):
        return True
    parser = container.parser
    if not isinstance(parser, QuickParser):
        return True
    from crm_core.handlers import parse_context

    quick = parser.parse_quick(caption, parse_context(ctx, state))
    return card_wanted(caption, quick if quick is not None and quick.source == "rules" else None)


def _media_reply(
    container: Container, ctx: HandlerContext, user: User, kind: str, ref: dict[str, Any], status: str
) -> str:
    """The one reply to a voice note or photo that is not run as a command, in the sender's language."""
    from crm_core.media import texts

    hindi = ctx.lang == "hi" or user_prefers_hindi(ctx.session, user)
    lang = "hi" if hindi else "en"
    if status == media.NO_AI:
        return texts.text("no_ai_voice" if kind == "voice" else "no_ai_card", lang)
    if status == media.REFUSED:
        return texts.refused(kind, str(ref.get("reason") or ""), lang, container.settings.media_max_bytes)
    if status == media.GONE:
        return texts.text("gone", lang, what=texts.what(kind, lang))
    if status == media.UNHEARD:
        return texts.text("unheard", lang)
    return texts.text("no_card", lang)


def _echo_first(ctx: HandlerContext, echo: str) -> None:
    """Put what was heard or read at the start of the first reply (or send it alone), so a misreading shows."""
    if ctx.replies:
        first = ctx.replies[0]
        first.body = f"{echo}\n\n{first.body}"
    else:
        ctx.reply(echo)


def media_lease(container: Container) -> timedelta:
    """How long a claim to read a media message lasts: the longest download plus the longest model call."""
    s = container.settings
    download = s.media_connect_timeout_seconds + 4 * s.media_read_timeout_seconds
    return timedelta(seconds=download + s.llm_timeout_seconds * (s.llm_max_retries + 1) + 15)


def _media_outside(container: Container, sender: str, own_id: int, need: _NeedsMedia) -> Step:
    """Download the media and transcribe it / read the card with no transaction open; store what came of it.

    A retry (a crash, a transient error later on) finds the stored outcome and never downloads or pays again.
    """
    token = uuid.uuid4().hex
    job = _claim_media(container, sender, need.row_id, token)
    if not isinstance(job, media.MediaJob):
        return Step(wait_seconds=job)
    try:
        outcome = media.read_media(job, container.media_fetcher, container.transcriber, container.card_reader)
        _store_media(container, sender, need.row_id, outcome)
    except Exception as exc:
        _release_media(container, sender, need.row_id, token)
        if isinstance(exc, (PermanentError, ValidationError)):
            raise _Permanent(need.row_id, exc) from exc
        if need.row_id != own_id and not _is_retryable(exc):
            raise _PredecessorFailed(need.row_id) from exc
        raise
    log.info("inbound message %s: %s (%s bytes)", need.row_id, outcome.status, outcome.fields.get("bytes", 0))
    return Step(asked_model=True)


def _claim_media(container: Container, sender: str, row_id: int, token: str) -> media.MediaJob | float:
    """Claim a media message for reading; the job, or seconds to wait (0: settled meanwhile, look again)."""
    now = container.clock.now()
    lease = media_lease(container)
    with container.database.transaction() as session:
        user = _lock_sender(session, sender)
        row = session.get(InboundMessage, row_id, populate_existing=True)
        if row is None or row.status != Status.RECEIVED:
            return 0.0
        ref = dict(row.media or {})
        if ref.get("status"):
            return 0.0
        until = _moment(ref.get("until"))
        if ref.get("claim") and until is not None and until > now:
            left = (until - now).total_seconds()
            fresh = (lease.total_seconds() - left) <= PARSE_FRESH_SECONDS
            log.info("inbound message %s is being downloaded by another worker; waiting", row_id)
            return min(left, PARSE_POLL_SECONDS) if fresh else left
        row.media = {**ref, "claim": token, "until": (now + lease).isoformat()}
        names = tuple(session.scalars(select(User.name).where(User.active.is_(True)).order_by(User.name)))
        context = ParseContext(
            now=now, tz=container.settings.tz, sender_name=user.name if user else None, team_names=names
        )
        kind: media.Kind = "voice" if ref.get("kind") == "voice" else "image"
        return media.MediaJob(row_id, kind, ref.get("url"), ref.get("mime"), row.text, context)


def _store_media(container: Container, sender: str, row_id: int, outcome: media.Outcome) -> None:
    """Keep what came of a media message on its row (first answer wins) and count the model calls paid."""
    now = container.clock.now()
    with container.database.transaction() as session:
        _lock_sender(session, sender)
        row = session.get(InboundMessage, row_id, populate_existing=True)
        if row is None:
            return
        for paid in outcome.paid:  # what was paid is counted, whatever happens to the message
            session.add(
                LlmCall(
                    inbound_id=row_id,
                    model=paid.model[:64],
                    prompt_tokens=paid.prompt_tokens,
                    completion_tokens=paid.completion_tokens,
                    latency_ms=round(paid.latency_ms),
                    outcome=paid.outcome[:32],
                    created_at=now,
                )
            )
        if row.status != Status.RECEIVED or (row.media or {}).get("status"):
            log.info("inbound message %s was settled while its media was read; the reading is dropped", row_id)
            return
        ref = {k: v for k, v in (row.media or {}).items() if k not in ("claim", "until")}
        row.media = {**ref, **outcome.fields}
        if outcome.status == media.HEARD:
            row.text = clean_text(str(outcome.fields.get("transcript") or ""))[:8000]


def _release_media(container: Container, sender: str, row_id: int, token: str) -> None:
    """Give up a claim after a failed download or model call so the retry need not wait (best effort)."""
    try:
        with container.database.transaction() as session:
            _lock_sender(session, sender)
            row = session.get(InboundMessage, row_id, populate_existing=True)
            if row is not None and (row.media or {}).get("claim") == token:
                row.media = {k: v for k, v in (row.media or {}).items() if k not in ("claim", "until")}
    except Exception:
        log.warning("could not release the media claim on inbound message %s; it lapses by itself", row_id)


def _deliver(container: Container, outbox_ids: list[int], claimed: list[Outbox] | None = None) -> None:
    """Post-commit delivery; a failure here is the sweep's to retry, never the queue's."""
    if claimed:
        try:
            from crm_core.delivery.outbox_delivery import deliver_claimed

            deliver_claimed(container, claimed)
        except Exception:
            ids = [row.id for row in claimed]
            log.exception("post-commit delivery failed; the sweep will retry outbox rows %s", ids)
    if not outbox_ids:
        return
    try:
        from crm_core.delivery.outbox_delivery import deliver_now

        deliver_now(container, outbox_ids)
    except Exception:
        log.exception("post-commit delivery failed; the sweep will retry outbox rows %s", outbox_ids)


def _defer(container: Container, env: Envelope, seconds: float) -> None:
    delay = max(1, math.ceil(seconds))
    try:
        container.queue.send(env.to_json(), delay_seconds=delay)
    except Exception as exc:
        raise TransientError(f"could not re-enqueue message {env.message_id}: {exc}") from exc
    log.info("message %s deferred %ss: an earlier message of its sender may still be in flight", env.message_id, delay)


def process_queue_message(body: str, dequeue_count: int = 1) -> None:
    """Apply one queued envelope (idempotent, ordered per sender); raise to make the queue retry."""
    container = get_container()
    env = _parse_envelope(body)
    if env is None:
        return
    own_id = record_inbound(container, env, dequeue_count)
    skip: set[int] = set()
    asked_model = False
    while True:
        try:
            step = _next_step(container, env.sender, own_id, skip)
        except _Permanent as exc:
            step = _record_failure(container, env.sender, own_id, exc)
        except _PredecessorFailed as exc:
            # A broken older message must not block its sender's later ones; its own queue message retries it.
            log.warning("skipping inbound message %s (it failed) to apply message %s", exc.row_id, own_id)
            skip.add(exc.row_id)
            continue
        _deliver(container, step.outbox_ids, step.claimed)
        asked_model = asked_model or step.asked_model
        if step.own_done:
            if asked_model:
                _drain(container, env.sender, own_id, skip)
            return
        if step.wait_seconds > 0:
            _defer(container, env, step.wait_seconds)
            return


def _apology(env: Envelope, session: Session | None = None, user: User | None = None) -> str:
    if env.kind in media.MEDIA_KINDS:  # the transcription or vision service kept failing: say so, once
        from crm_core.media.texts import text

        hindi = session is not None and user is not None and user_prefers_hindi(session, user)
        return text(f"apology_{env.kind}", "hi" if hindi else "en")
    snippet = " ".join(env.text.split())
    snippet = snippet if len(snippet) <= 60 else snippet[:57] + "…"
    return APOLOGY_REPLY.format(snippet=snippet) if snippet else APOLOGY_REPLY.replace(" “{snippet}”", "")


def process_poison_message(body: str) -> None:
    """Record a message that failed every retry as poison and apologise to its sender once."""
    container = get_container()
    env = _parse_envelope(body)
    if env is None:
        return
    own_id = record_inbound(container, env, 0)
    outbox_ids: list[int] = []
    try:
        with container.database.transaction() as session:
            user = _lock_sender(session, env.sender)
            now = container.clock.now()
            marked = session.execute(
                update(InboundMessage)
                .where(
                    InboundMessage.id == own_id,
                    InboundMessage.status == Status.RECEIVED,
                )
                .values(status=Status.POISON, processed_at=now, result={"poison": True})
                .execution_options(synchronize_session=False)
            ).rowcount  # type: ignore[attr-defined]
            if not marked:
                log.info("poison message %s was already handled; nothing to do", own_id)
                return
            own = session.get(InboundMessage, own_id, populate_existing=True)
            assert own is not None
            row = _reply_to(session, own, user, _apology(env, session, user), kind="apology")
            row.dedupe_key = f"apology:{own_id}"  # the inbound row: one per (provider, sender, message id)
            row.due_at = now
            session.flush()
            outbox_ids.append(row.id)
    except IntegrityError:
        log.info("apology for %s already recorded", env.message_id)
        return
    log.error("inbound message %s (%s) is poison: it failed every retry", own_id, env.message_id)
    _deliver(container, outbox_ids)
