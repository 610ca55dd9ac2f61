"""The app's message endpoint and inbox: commands typed in the frontend go on the same queue as WhatsApp."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from crm_core.api.deps import Actor, Ctr, Db, DetachedActor
from crm_core.api.errors import ApiError
from crm_core.api.routing import ApiRoute
from crm_core.api.schemas_ops import AppMessageAccepted, AppMessageRequest, InboxMessage, InboxPage, InboxQuery
from crm_core.db.models import Outbox, OutboxStatus

router = APIRouter(route_class=ApiRoute, tags=["app"])


@router.post("/app", status_code=202, summary="Send a command as the logged-in user (queued like WhatsApp)")
def accept_message(body: AppMessageRequest, actor: DetachedActor, container: Ctr) -> AppMessageAccepted:
    """Queue the user's text as an envelope from their phone; 202 with the message id.

    No transaction is open while it enqueues: on `make run`'s SQLite the durable queue writes to the same file.
    """
    from crm_core.envelope import Envelope

    if not body.text.strip():
        raise ApiError(422, "validation_error", "the message is empty")
    envelope = Envelope(
        provider="app",
        message_id=uuid.uuid4().hex,
        sender=actor.phone,
        text=body.text,
        sent_at=container.clock.now(),
        sender_name=actor.name,
    )
    container.queue.send(envelope.to_json())
    return AppMessageAccepted(message_id=envelope.message_id)


@router.get("/app/messages", summary="The bot's replies to the logged-in app user")
def inbox(query: Annotated[InboxQuery, Query()], actor: Actor, db: Db) -> InboxPage:
    """The bot's messages to this app user with id > after, oldest first (cancelled ones left out)."""
    rows = db.scalars(
        select(Outbox)
        .where(
            Outbox.recipient_user_id == actor.id,
            Outbox.channel == "app",
            Outbox.id > query.after,
            Outbox.status != OutboxStatus.CANCELLED,
        )
        .order_by(Outbox.id)
        .limit(query.limit)
    ).all()
    items = [InboxMessage.model_validate(r) for r in rows]
    return InboxPage(items=items, next_after=items[-1].id if items else query.after)
