"""The timer's entry point: plan digests (when enabled), rescue stranded inbound messages, send what is due."""

from __future__ import annotations

import logging
from datetime import datetime

from crm_core.delivery.outbox_delivery import SweepStats, dead_letters, deliver_now, run_sweep

__all__ = ["SweepStats", "dead_letters", "deliver_now", "plan_due_digests", "run_scheduled_sweep", "run_sweep"]

log = logging.getLogger("crm_core.delivery")


def plan_due_digests(now: datetime | None = None) -> None:
    """Write today's digest rows to the outbox (nurture's planner) when digests are enabled; errors are logged."""
    from crm_core.composition import get_container

    container = get_container()
    settings = container.settings
    if not settings.digest_enabled:
        return
    at = now or container.clock.now()
    try:
        from crm_core.nurture.digest import plan_digests

        with container.database.transaction() as session:
            plan_digests(session, at, settings)
    except Exception:
        # A broken digest must not stop replies and reminders from going out.
        log.exception("digest planning failed; sweeping the outbox anyway")


def run_scheduled_sweep(past_due: bool = False, now: datetime | None = None) -> SweepStats:
    """One timer tick: digests first, stranded inbound messages re-enqueued, then a full sweep of the outbox."""
    from crm_core.composition import get_container

    if past_due:
        log.info("sweep timer is past due; catching up")
    container = get_container()
    plan_due_digests(now)
    try:
        from crm_core.pipeline.recovery import recover_stranded

        recover_stranded(container, now)
    except Exception:
        log.exception("recovering stranded inbound messages failed; sweeping the outbox anyway")
    return run_sweep(container, now=now)
