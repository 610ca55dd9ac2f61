"""Messages recorded but never applied (`received`): taken up at start-up, and a safety net for stranded ones.

At start-up (`take_up_unapplied`, called by the local host before its queue runners start) every `received` message
is re-enqueued at once: the process that was handling it is gone (killed, crashed, or it held it only in memory).
Processing is idempotent and ordered per sender, so a message whose queue copy also survived is applied once.

Every queue message normally ends `done`, `failed` or `poison` within a minute. A row still `received` long after
(STRANDED_AFTER) can only mean its queue message is gone — for instance the database was down through all five
tries and through the poison function's tries as well. The timer re-enqueues such a message once; if it is still
stranded the next time, it is recorded as poison and its sender gets the usual single apology. On Azure, where
instances come and go under load and no single host owns the queue, this timer is the only net.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from crm_core.db.models import InboundMessage
from crm_core.envelope import Envelope

if TYPE_CHECKING:
    from crm_core.composition import Container

log = logging.getLogger("crm_core.pipeline")

STRANDED_AFTER = timedelta(minutes=30)
LOOK_BACK = timedelta(days=2)


def _envelope(row: InboundMessage) -> Envelope:
    info = row.result or {}
    return Envelope(
        provider=row.provider,
        message_id=row.provider_message_id,
        sender=row.sender,
        text=row.text,
        sent_at=row.sent_at,
        kind=str(info.get("kind", "text")),
        media_type=info.get("media_type"),
        media_url=(row.media or {}).get("url"),
        media_mime=(row.media or {}).get("mime"),
        receive_seq=row.receive_seq,
    )


def take_up_unapplied(container: Container, now: datetime | None = None) -> int:
    """Re-enqueue every `received` message of the last LOOK_BACK at once (start-up); return how many.

    Sent in the order they are applied (per sender: sent_at, receive_seq, id), visible immediately: their ordering
    window has long passed, so they are applied as soon as a worker takes them.
    """
    from crm_core.pipeline.process import Status

    at = now or container.clock.now()
    with container.database.transaction() as session:
        rows = list(
            session.scalars(
                select(InboundMessage)
                .where(InboundMessage.status == Status.RECEIVED, InboundMessage.received_at > at - LOOK_BACK)
                .order_by(InboundMessage.sent_at, InboundMessage.receive_seq, InboundMessage.id)
            )
        )
        session.expunge_all()
    for row in rows:
        container.queue.send(_envelope(row).to_json())
    if rows:
        log.warning("took up %d inbound message(s) recorded but not applied before the restart", len(rows))
    return len(rows)


def recover_stranded(container: Container, now: datetime | None = None, limit: int = 100) -> int:
    """Re-enqueue (first time) or poison (second time) inbound messages stuck in `received`; return how many."""
    from crm_core.pipeline.process import Status, process_poison_message

    at = now or container.clock.now()
    with container.database.transaction() as session:
        rows = list(
            session.scalars(
                select(InboundMessage)
                .where(
                    InboundMessage.status == Status.RECEIVED,
                    InboundMessage.received_at < at - STRANDED_AFTER,
                    InboundMessage.received_at > at - LOOK_BACK,
                )
                .order_by(InboundMessage.id)
                .limit(limit)
            )
        )
        session.expunge_all()
    handled = 0
    for row in rows:
        env = _envelope(row)
        info = dict(row.result or {})
        if info.get("requeued"):
            log.error("inbound message %s is still stranded after a re-enqueue; recording it as poison", row.id)
            process_poison_message(env.to_json())
        else:
            container.queue.send(env.to_json())
            info["requeued"] = 1
            with container.database.transaction() as session:
                session.execute(
                    update(InboundMessage)
                    .where(InboundMessage.id == row.id, InboundMessage.status == Status.RECEIVED)
                    .values(result=info, received_at=at)
                    .execution_options(synchronize_session=False)
                )
            log.warning("inbound message %s was stranded in 'received'; re-enqueued it", row.id)
        handled += 1
    return handled
