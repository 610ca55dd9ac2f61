"""Cancelling a meeting or demo: the reason is kept (on the event and in the lead's history) and everyone
affected — the event's assignee and the lead's owner — is told."""

from __future__ import annotations

from crm_core.db.models import Event, Lead, User
from crm_core.handlers.common import Request, fmt_when, resolve_lead
from crm_core.handlers.context import HandlerContext
from crm_core.handlers.events import _scheduled, fmt_when_en
from crm_core.handlers.texts import kind_label, t


def _which(ctx: HandlerContext, lead: Lead, kind: str) -> Event | None:
    """The event a cancel is about: the next one still ahead, else the latest scheduled one."""
    scheduled = _scheduled(ctx, lead, kind)
    ahead = [e for e in scheduled if e.starts_at >= ctx.now()]
    return ahead[0] if ahead else (scheduled[-1] if scheduled else None)


def _cancel(ctx: HandlerContext, req: Request, kind: str) -> Lead | None:
    lead = resolve_lead(ctx, req)
    if lead is None:
        return None
    label = kind_label(ctx.lang, kind)
    event = _which(ctx, lead, kind)
    if event is None:
        ctx.reply(t(ctx, "cancel_none", kind=label.lower(), company=lead.company), lead=lead)
        return None  # nothing changed: follow-ons do not run
    reason = req.command.note
    now = ctx.now()
    event.status = "cancelled"
    event.outcome = reason
    event.updated_at = now
    when_en = fmt_when_en(ctx, event.starts_at)
    ctx.log(
        lead,
        f"{kind}_cancelled",
        f"{kind_label('en', kind)} on {when_en} cancelled by {ctx.sender.name}" + (f": {reason}" if reason else ""),
        {"event_id": event.id, "starts_at": event.starts_at.isoformat(), "reason": reason},
    )
    why = t(ctx, "cancel_reason", reason=reason) if reason else ""
    ctx.reply(
        t(ctx, "event_cancelled", kind=label, company=lead.company, when=fmt_when(ctx, event.starts_at), reason=why),
        lead=lead,
    )
    told: set[int] = set()
    for user_id in (event.assignee_id, lead.owner_id):
        user = ctx.session.get(User, user_id)
        if user is None or user.id in told:
            continue
        told.add(user.id)
        ctx.notify(
            user,
            t(
                "en",
                "event_cancelled_notify",
                kind=kind_label("en", kind),
                company=lead.company,
                when=when_en,
                sender=ctx.sender.name,
                reason=t("en", "cancel_reason", reason=reason) if reason else "",
            ),
            lead=lead,
        )
    return lead


def cancel_meeting(ctx: HandlerContext, req: Request) -> Lead | None:
    """Cancel the lead's next scheduled meeting, keeping the reason."""
    return _cancel(ctx, req, "meeting")


def cancel_demo(ctx: HandlerContext, req: Request) -> Lead | None:
    """Cancel the lead's next scheduled demo, keeping the reason."""
    return _cancel(ctx, req, "demo")
