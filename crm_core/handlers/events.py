"""Meeting and demo workflows: schedule, reschedule (with clash warnings), done (demo done starts the nurture)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import case, null, select

from crm_core.access import in_scope
from crm_core.db.models import Event, Lead, LeadStatus, User
from crm_core.handlers.common import (
    Request,
    advance_status,
    fmt_time,
    fmt_when,
    lead_details_text,
    resolve_assignee,
    resolve_lead,
    team_tz,
)
from crm_core.handlers.context import HandlerContext
from crm_core.handlers.leads import _count
from crm_core.handlers.texts import kind_label, status_label, t
from crm_core.handlers.waiting import example_when, wait_for

DEFAULT_TIME = time(11, 0)  # a date without a time: 11:00 AM in the team's zone
LATEST_DEFAULT_HOUR = 19  # a date-only "today" after 11:00 gets the next full hour, up to 7 PM
CLASH_WINDOW = timedelta(minutes=30)

_SCHEDULED_STATUS = {"meeting": LeadStatus.MEETING_SCHEDULED, "demo": LeadStatus.DEMO_SCHEDULED}
_DONE_STATUS = {"meeting": LeadStatus.MEETING_DONE, "demo": LeadStatus.DEMO_DONE}


def _start_time(ctx: HandlerContext, req: Request) -> tuple[datetime | None, bool]:
    """The event's start (aware) and whether a default time was chosen; None when the day is already over."""
    cmd = req.command
    tz = team_tz(ctx)
    if cmd.has_time:
        return cmd.when_datetime(tz), False
    day = cmd.when_date()
    assert day is not None
    now_local = ctx.now().astimezone(tz)
    start = datetime.combine(day, DEFAULT_TIME, tzinfo=tz)
    if day == now_local.date() and start <= now_local:
        next_hour = now_local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        if next_hour.hour > LATEST_DEFAULT_HOUR or next_hour.date() != day:
            return None, True
        start = next_hour
    return start, True


def _clashes(
    ctx: HandlerContext, assignee: User, start: datetime, exclude: int | None
) -> list[tuple[Event, str | None]]:
    """The assignee's other events near start, each with its lead's company — None when the sender may not see it."""
    visible = case((in_scope(ctx.sender) == 1, Lead.company), else_=null())
    stmt = (
        select(Event, visible)
        .join(Lead, Lead.id == Event.lead_id)
        .where(
            Event.assignee_id == assignee.id,
            Event.status == "scheduled",
            Event.starts_at > start - CLASH_WINDOW,
            Event.starts_at < start + CLASH_WINDOW,
        )
    )
    return [(e, company) for e, company in ctx.session.execute(stmt.order_by(Event.starts_at)) if e.id != exclude]


def _scheduled(ctx: HandlerContext, lead: Lead, kind: str) -> list[Event]:
    stmt = select(Event).where(Event.lead_id == lead.id, Event.kind == kind, Event.status == "scheduled")
    return list(ctx.session.scalars(stmt.order_by(Event.starts_at, Event.id)))


def _schedule(ctx: HandlerContext, req: Request, kind: str, *, move: bool) -> Lead | None:
    lead = resolve_lead(ctx, req)
    if lead is None:
        return None
    cmd = req.command
    label = kind_label(ctx.lang, kind)
    if not cmd.when:
        text = t(ctx, "when_missing", kind=label.lower(), company=lead.company, example=example_when(ctx))
        wait_for(ctx, cmd.model_copy(update={"company": lead.company}), text, lead=lead)
        return lead
    existing = _scheduled(ctx, lead, kind)
    event = existing[0] if move and existing else None
    if cmd.assignee:
        assignee = resolve_assignee(ctx, cmd.assignee)
        if assignee is None:
            return lead
    else:
        current = ctx.session.get(User, event.assignee_id if event is not None else lead.owner_id)
        assignee = current if current is not None else ctx.sender
    start, defaulted = _start_time(ctx, req)
    now = ctx.now()
    if start is None or start <= now:
        shown = fmt_when(ctx, start) if start is not None else fmt_when(ctx, _day_start(ctx, req), with_time=False)
        ctx.reply(t(ctx, "past_time", when=shown, company=lead.company), lead=lead)
        return lead
    clashes = _clashes(ctx, assignee, start, event.id if event else None)
    when_text = fmt_when(ctx, start)
    with_who = t(ctx, "with_who", name=assignee.name) if assignee.id != ctx.sender.id else ""
    lines: list[str] = []
    moving = event is not None
    if event is None:
        event = Event(
            lead_id=lead.id,
            kind=kind,
            starts_at=start,
            has_time=not defaulted,
            assignee_id=assignee.id,
            status="scheduled",
            created_by_id=ctx.sender.id,
            created_at=now,
            updated_at=now,
        )
        ctx.session.add(event)
        ctx.session.flush()
        advance_status(lead, _SCHEDULED_STATUS[kind])
        ctx.log(
            lead,
            f"{kind}_scheduled",
            f"{kind_label('en', kind)} scheduled for {fmt_when_en(ctx, start)} with {assignee.name}",
            {"event_id": event.id, "starts_at": start.isoformat(), "assignee_id": assignee.id},
        )
        lines.append(t(ctx, "event_scheduled", kind=label, company=lead.company, when=when_text, with_who=with_who))
        if move:
            lines.append(t(ctx, "reschedule_none", kind=label.lower()))
        elif existing:
            lines.append(
                t(ctx, "already_scheduled_note", kind=label.lower(), when=fmt_when(ctx, existing[0].starts_at))
            )
        ctx.notify(
            assignee,
            t(
                "en",
                "event_notify",
                kind=kind_label("en", kind),
                company=lead.company,
                when=fmt_when_en(ctx, start),
                sender=ctx.sender.name,
                details=lead_details_text(lead),
            ).strip(),
            lead=lead,
        )
    else:
        before = event.starts_at
        previous_assignee = ctx.session.get(User, event.assignee_id)
        event.starts_at = start
        event.has_time = not defaulted
        event.assignee_id = assignee.id
        event.updated_at = now
        ctx.log(
            lead,
            f"{kind}_rescheduled",
            f"{kind_label('en', kind)} moved from {fmt_when_en(ctx, before)} to {fmt_when_en(ctx, start)}"
            f" with {assignee.name}",
            {"event_id": event.id, "from": before.isoformat(), "to": start.isoformat(), "assignee_id": assignee.id},
        )
        lines.append(
            t(
                ctx,
                "event_rescheduled",
                kind=label,
                company=lead.company,
                when=when_text,
                with_who=with_who,
                before=fmt_when(ctx, before),
            )
        )
        ctx.notify(
            assignee,
            t(
                "en",
                "event_moved_notify",
                kind=kind_label("en", kind),
                company=lead.company,
                when=fmt_when_en(ctx, start),
                sender=ctx.sender.name,
            ),
            lead=lead,
        )
        if previous_assignee is not None and previous_assignee.id != assignee.id:
            ctx.notify(
                previous_assignee,
                t(
                    "en",
                    "event_taken_notify",
                    kind=kind.lower(),
                    company=lead.company,
                    when=fmt_when_en(ctx, before),
                    name=assignee.name,
                    sender=ctx.sender.name,
                ),
                lead=lead,
            )
    _tell_owner(ctx, lead, assignee, kind, start, moved=moving)
    if defaulted:
        lines.append(t(ctx, "default_time_note", time=fmt_time(start.astimezone(team_tz(ctx)))))
    for clash, company in clashes:
        lines.append(
            t(
                ctx,
                "clash_warning" if company is not None else "clash_warning_hidden",
                name=assignee.name,
                kind=kind_label(ctx.lang, clash.kind).lower(),
                company=company,
                when=fmt_time(clash.starts_at.astimezone(team_tz(ctx))),
            )
        )
    ctx.reply("\n".join(lines), lead=lead)
    return lead


def _tell_owner(ctx: HandlerContext, lead: Lead, assignee: User, kind: str, start: datetime, *, moved: bool) -> None:
    """The lead's owner hears of a booking or a move on their lead by someone else, for someone else."""
    owner = ctx.session.get(User, lead.owner_id)
    if owner is None or owner.id in (assignee.id, ctx.sender.id):
        return
    key = "owner_event_moved_notify" if moved else "owner_event_notify"
    text = t("en", key, kind=kind_label("en", kind), company=lead.company, when=fmt_when_en(ctx, start),
             sender=ctx.sender.name, name=assignee.name)  # fmt: skip
    ctx.notify(owner, text, lead=lead)


def _day_start(ctx: HandlerContext, req: Request) -> datetime:
    day = req.command.when_date()
    assert day is not None
    return datetime.combine(day, time(0, 0), tzinfo=team_tz(ctx))


def fmt_when_en(ctx: HandlerContext, moment: datetime) -> str:
    """A moment in words in English (activity log and notifications)."""
    lang, ctx.lang = ctx.lang, "en"
    try:
        return fmt_when(ctx, moment)
    finally:
        ctx.lang = lang


def schedule_meeting(ctx: HandlerContext, req: Request) -> Lead | None:
    """Schedule a meeting with the lead."""
    return _schedule(ctx, req, "meeting", move=False)


def schedule_demo(ctx: HandlerContext, req: Request) -> Lead | None:
    """Schedule a demo for the lead."""
    return _schedule(ctx, req, "demo", move=False)


def reschedule_meeting(ctx: HandlerContext, req: Request) -> Lead | None:
    """Move the lead's scheduled meeting (or schedule one when there is none)."""
    return _schedule(ctx, req, "meeting", move=True)


def reschedule_demo(ctx: HandlerContext, req: Request) -> Lead | None:
    """Move the lead's scheduled demo (or schedule one when there is none)."""
    return _schedule(ctx, req, "demo", move=True)


def _event_to_complete(ctx: HandlerContext, lead: Lead, kind: str) -> Event | None:
    """The scheduled event this 'done' refers to: the latest one already begun, else the next one."""
    scheduled = _scheduled(ctx, lead, kind)
    now = ctx.now()
    begun = [e for e in scheduled if e.starts_at <= now]
    if begun:
        return begun[-1]
    if scheduled:
        return scheduled[0]
    return None


def _done(ctx: HandlerContext, req: Request, kind: str) -> Lead | None:
    lead = resolve_lead(ctx, req)
    if lead is None:
        return None
    now = ctx.now()
    note = req.command.note
    event = _event_to_complete(ctx, lead, kind)
    if event is None:
        stmt = select(Event).where(Event.lead_id == lead.id, Event.kind == kind, Event.status == "done")
        event = ctx.session.scalars(stmt.order_by(Event.completed_at.desc(), Event.id.desc())).first()
    if event is None:
        event = Event(
            lead_id=lead.id,
            kind=kind,
            starts_at=now,
            has_time=True,
            assignee_id=lead.owner_id,
            status="scheduled",
            created_by_id=ctx.sender.id,
            created_at=now,
            updated_at=now,
        )
        ctx.session.add(event)
    event.status = "done"
    if note:
        event.outcome = note
    event.completed_at = event.completed_at or now
    event.updated_at = now
    ctx.session.flush()
    previous = lead.status
    advance_status(lead, _DONE_STATUS[kind])
    text = f"{kind_label('en', kind)} done" + (f": {note}" if note else "")
    ctx.log(lead, f"{kind}_done", text, {"event_id": event.id, "outcome": note, "from": previous, "to": lead.status})
    outcome = t(ctx, "outcome_line", note=note) if note else ""
    lines = [
        t(
            ctx,
            "event_done",
            kind=kind_label(ctx.lang, kind),
            company=lead.company,
            status=status_label(ctx.lang, lead.status),
            outcome=outcome,
        )
    ]
    owner = ctx.session.get(User, lead.owner_id)
    if kind == "demo" and owner is not None and lead.status not in LeadStatus.CLOSED:
        started = ctx.nurture.start_sequence(
            ctx.session,
            lead=lead,
            assignee=owner,
            actor_id=ctx.sender.id,
            demo_event_id=event.id,
            now=now,
            settings=ctx.settings,
        )
        if _count(started):
            lines.append(t(ctx, "nurture_started", owner=owner.name))
    ctx.reply("\n".join(lines), lead=lead)
    if owner is not None:
        ctx.notify(
            owner,
            t(
                "en",
                "event_done",
                kind=kind_label("en", kind),
                company=lead.company,
                status=status_label("en", lead.status),
                outcome=t("en", "outcome_line", note=note) if note else "",
            )
            + f"\n(by {ctx.sender.name})",
            lead=lead,
        )
    return lead


def meeting_done(ctx: HandlerContext, req: Request) -> Lead | None:
    """Mark the lead's meeting done with its outcome."""
    return _done(ctx, req, "meeting")


def demo_done(ctx: HandlerContext, req: Request) -> Lead | None:
    """Mark the lead's demo done with its outcome and start the post-demo follow-up sequence."""
    return _done(ctx, req, "demo")
