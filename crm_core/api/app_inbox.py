"""The app's message endpoint and inbox: commands typed in the frontend go on the same queue as WhatsApp."""

from __future__ import annotations

import uuid

import azure.functions as func
from sqlalchemy import select

from crm_core.api.http import ApiError, Reply, RequestContext, serve
from crm_core.api.schemas import AppMessageAccepted, AppMessageRequest, InboxMessage, InboxPage, InboxQuery
from crm_core.db.models import Outbox, OutboxStatus


def accept_message(ctx: RequestContext) -> Reply:
    """Queue the user's text as an envelope from their phone; 202 with the message id."""
    from crm_core.envelope import Envelope

    body: AppMessageRequest = ctx.body
    if not body.text.strip():
        raise ApiError(422, "validation_error", "the message is empty")
    envelope = Envelope(
        provider="app",
        message_id=uuid.uuid4().hex,
        sender=ctx.actor.phone,
        text=body.text,
        sent_at=ctx.now(),
        sender_name=ctx.actor.name,
    )
    ctx.container.queue.send(envelope.to_json())
    return Reply(AppMessageAccepted(message_id=envelope.message_id), status=202)


def inbox(ctx: RequestContext) -> Reply:
    """The bot's messages to this app user with id > after, oldest first (cancelled ones left out)."""
    query: InboxQuery = ctx.query
    rows = ctx.db.scalars(
        select(Outbox)
        .where(
            Outbox.recipient_user_id == ctx.actor.id,
            Outbox.channel == "app",
            Outbox.id > query.after,
            Outbox.status != OutboxStatus.CANCELLED,
        )
        .order_by(Outbox.id)
        .limit(query.limit)
    ).all()
    items = [
        InboxMessage(
            id=r.id,
            kind=r.kind,
            body=r.body,
            status=r.status,
            lead_id=r.lead_id,
            attachment_url=r.attachment_url,
            attachment_filename=r.attachment_filename,
            created_at=r.created_at,
            due_at=r.due_at,
        )
        for r in rows
    ]
    return Reply(InboxPage(items=items, next_after=items[-1].id if items else query.after))


def post_message(req: func.HttpRequest) -> func.HttpResponse:
    """POST /api/app."""
    from crm_core.api.table import ROUTES

    return serve(ROUTES["post_app_message"], req)


def list_messages(req: func.HttpRequest) -> func.HttpResponse:
    """GET /api/app/messages."""
    from crm_core.api.table import ROUTES

    return serve(ROUTES["list_app_messages"], req)
