"""Read-only answers: the day's tasks, the sender's open leads (one lead's status: handlers.status)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from crm_core.db.models import Event, Lead, LeadStatus, Outbox, OutboxStatus
from crm_core.handlers.common import (
    Request,
    fmt_day,
    fmt_time,
    lead_line,
    team_tz,
)
from crm_core.handlers.context import HandlerContext
from crm_core.handlers.texts import kind_label, status_label, t

MAX_LEADS_SHOWN = 10


def list_tasks(ctx: HandlerContext, req: Request) -> Lead | None:
    """The sender's meetings, demos and follow-ups on the day asked about (today by default)."""
    tz = team_tz(ctx)
    today = ctx.now().astimezone(tz).date()
    day = req.command.when_date() or today
    start = datetime.combine(day, time(0, 0), tzinfo=tz)
    end = start + timedelta(days=1)
    events = list(
        ctx.session.scalars(
            select(Event)
            .where(
                Event.assignee_id == ctx.sender.id,
                Event.status == "scheduled",
                Event.starts_at >= start,
                Event.starts_at < end,
            )
            .order_by(Event.starts_at)
        )
    )
    followups = list(
        ctx.session.scalars(
            select(Outbox)
            .where(
                Outbox.recipient_user_id == ctx.sender.id,
                Outbox.kind == "reminder",
                Outbox.status == OutboxStatus.PENDING,
                Outbox.due_at >= start,
                Outbox.due_at < end,
            )
            .order_by(Outbox.due_at)
        )
    )
    day_text = fmt_day(day, ctx.lang, today)
    if not events and not followups:
        ctx.reply(t(ctx, "tasks_none", day=day_text))
        return None
    lines = [t(ctx, "tasks_header", day=day_text)]
    if events:
        lines.append(t(ctx, "tasks_events"))
        for event in events:
            lead = ctx.session.get(Lead, event.lead_id)
            when = fmt_time(event.starts_at.astimezone(tz)) if event.has_time else "—"
            lines.append(f"• {when} {kind_label(ctx.lang, event.kind)}: {lead_line(ctx, lead) if lead else '?'}")
    if followups:
        lines.append(t(ctx, "tasks_followups"))
        for row in followups:
            lead = ctx.session.get(Lead, row.lead_id) if row.lead_id else None
            first = row.body.strip().splitlines()[0] if row.body.strip() else ""
            label = f"*{lead.company}*" if lead else first[:80]
            lines.append(f"• {fmt_time(row.due_at.astimezone(tz))} {label}")
    ctx.reply("\n".join(lines))
    return None


def list_leads(ctx: HandlerContext, req: Request) -> Lead | None:
    """The sender's open leads, newest first, one short line each."""
    base = select(Lead).where(Lead.owner_id == ctx.sender.id, Lead.status.not_in(LeadStatus.CLOSED))
    total = ctx.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    if not total:
        ctx.reply(t(ctx, "leads_none"))
        return None
    leads = ctx.session.scalars(base.order_by(Lead.created_at.desc(), Lead.id.desc()).limit(MAX_LEADS_SHOWN))
    lines = [t(ctx, "leads_header", n=total)]
    lines += [f"{i}. *{lead.company}* — {status_label(ctx.lang, lead.status)}" for i, lead in enumerate(leads, 1)]
    if total > MAX_LEADS_SHOWN:
        lines.append(t(ctx, "leads_more", n=total - MAX_LEADS_SHOWN))
    ctx.reply("\n".join(lines))
    return None
