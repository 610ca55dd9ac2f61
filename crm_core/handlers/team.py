"""A leader's views of their team's work (#13 item 6): `team_leads`, `team_tasks`, `pipeline_summary`.

Who is in a view is crm_core.access's answer, never decided here: an admin sees everyone, a leader their team, a
member only themselves — a member asking for the team gets their own view with one polite line saying so. With a
name (`assignee`: "Amit ke leads dikhao", "show Neha's leads") the view is that one person's, when the sender may
see their work; otherwise a polite refusal that reveals nothing of theirs.

Replies are grouped by person and capped ("…and N more"), in the sender's script.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import ColumnElement, func, select

from crm_core.access import is_admin, is_leader, lead_scope, user_scope
from crm_core.db.models import Event, Lead, LeadStatus, Outbox, OutboxStatus, User
from crm_core.handlers.common import Request, fmt_day, fmt_time, fmt_when, team_tz
from crm_core.handlers.context import HandlerContext
from crm_core.handlers.texts import kind_label, status_label, t
from crm_core.matching import match_user

PER_PERSON = 5  # leads or tasks shown per person in a team view
ONE_PERSON = 10  # leads shown when one person's are asked for
PEOPLE_SHOWN = 8  # people shown in a team view
OVERDUE_SHOWN = 5


def _sees_team(ctx: HandlerContext) -> bool:
    return is_admin(ctx.sender) or is_leader(ctx.sender)


def _visible_users(ctx: HandlerContext) -> list[User]:
    """The active users whose work the sender may see, by name."""
    stmt = select(User).where(User.active.is_(True), user_scope(ctx.sender)).order_by(User.name, User.id)
    return list(ctx.session.scalars(stmt))


def _person(ctx: HandlerContext, req: Request) -> tuple[User | None, bool]:
    """The person named in the command, if any, and whether the reply is already sent (not found, not allowed)."""
    name = req.command.assignee
    if not name:
        return None, False
    visible = _visible_users(ctx)
    found = match_user(name, visible).user
    if found is not None:
        return found, False
    everyone = list(ctx.session.scalars(select(User).where(User.active.is_(True))))
    if match_user(name, everyone).user is not None:
        ctx.reply(t(ctx, "team_not_yours"))
    else:
        ctx.reply(t(ctx, "team_unknown_person", name=name))
    return None, True


def _note_own_view(ctx: HandlerContext, lines: list[str]) -> None:
    """A member asked for the team: say politely that this is their own view."""
    if not _sees_team(ctx):
        lines.insert(0, t(ctx, "team_own_view"))


def _names(ctx: HandlerContext, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = ctx.session.execute(select(User.id, User.name).where(User.id.in_(ids)))
    return {i: n for i, n in rows}


def _more(ctx: HandlerContext, n: int) -> list[str]:
    return [t(ctx, "leads_more", n=n)] if n > 0 else []


# --- team_leads ----------------------------------------------------------------------------------------------


def team_leads(ctx: HandlerContext, req: Request) -> Lead | None:
    """The open leads of the sender's team grouped by owner, or one person's open leads."""
    person, done = _person(ctx, req)
    if done:
        return None
    open_ = (Lead.status.not_in(LeadStatus.CLOSED), lead_scope(ctx.sender))
    if person is not None:
        _one_persons_leads(ctx, person, open_)
        return None
    who = Lead.owner_id
    counts = dict(
        ctx.session.execute(select(who, func.count()).where(*open_, user_scope(ctx.sender, who)).group_by(who)).all()
    )
    total = sum(counts.values())
    if not total:
        ctx.reply(t(ctx, "team_leads_none" if _sees_team(ctx) else "leads_none"))
        return None
    names = _names(ctx, set(counts))
    order = sorted(counts, key=lambda i: (-counts[i], names.get(i, ""), i))
    lines = [t(ctx, "team_leads_header" if _sees_team(ctx) else "leads_header", n=total)]
    for owner_id in order[:PEOPLE_SHOWN]:
        lines.append("")
        lines.append(f"👤 *{names.get(owner_id, '?')}* ({counts[owner_id]})")
        leads = ctx.session.scalars(
            select(Lead)
            .where(*open_, Lead.owner_id == owner_id)
            .order_by(Lead.created_at.desc(), Lead.id.desc())
            .limit(PER_PERSON)
        )
        lines += [f"• *{lead.company}* — {status_label(ctx.lang, lead.status)}" for lead in leads]
        lines += _more(ctx, counts[owner_id] - PER_PERSON)
    hidden = sum(counts[i] for i in order[PEOPLE_SHOWN:])
    if hidden:
        lines.append("")
        lines.append(t(ctx, "team_more_people", people=len(order) - PEOPLE_SHOWN, n=hidden))
    _note_own_view(ctx, lines)
    ctx.reply("\n".join(lines))
    return None


def _one_persons_leads(ctx: HandlerContext, person: User, open_: tuple[ColumnElement[bool], ...]) -> None:
    base = select(Lead).where(*open_, Lead.owner_id == person.id)
    total = ctx.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    if not total:
        ctx.reply(t(ctx, "team_person_no_leads", name=person.name))
        return
    leads = ctx.session.scalars(base.order_by(Lead.created_at.desc(), Lead.id.desc()).limit(ONE_PERSON))
    lines = [t(ctx, "team_person_leads_header", name=person.name, n=total)]
    lines += [f"{i}. *{lead.company}* — {status_label(ctx.lang, lead.status)}" for i, lead in enumerate(leads, 1)]
    lines += _more(ctx, total - ONE_PERSON)
    ctx.reply("\n".join(lines))


# --- team_tasks ----------------------------------------------------------------------------------------------


def team_tasks(ctx: HandlerContext, req: Request) -> Lead | None:
    """The meetings, demos and follow-ups of the sender's team (or one person) on the day asked, by person."""
    person, done = _person(ctx, req)
    if done:
        return None
    tz = team_tz(ctx)
    today = ctx.now().astimezone(tz).date()
    day = req.command.when_date() or today
    start = datetime.combine(day, time(0, 0), tzinfo=tz)
    end = start + timedelta(days=1)
    who_event = Event.assignee_id == person.id if person else user_scope(ctx.sender, Event.assignee_id)
    events = list(
        ctx.session.scalars(
            select(Event)
            .where(who_event, Event.status == "scheduled", Event.starts_at >= start, Event.starts_at < end)
            .order_by(Event.starts_at, Event.id)
        )
    )
    who_row = Outbox.recipient_user_id == person.id if person else user_scope(ctx.sender, Outbox.recipient_user_id)
    followups = list(
        ctx.session.scalars(
            select(Outbox)
            .where(
                who_row,
                Outbox.kind == "reminder",
                Outbox.status == OutboxStatus.PENDING,
                Outbox.due_at >= start,
                Outbox.due_at < end,
            )
            .order_by(Outbox.due_at, Outbox.id)
        )
    )
    day_text = fmt_day(day, ctx.lang, today)
    if not events and not followups:
        ctx.reply(t(ctx, "team_tasks_none", day=day_text))
        return None
    lead_ids = {e.lead_id for e in events} | {r.lead_id for r in followups if r.lead_id}
    companies = dict(ctx.session.execute(select(Lead.id, Lead.company).where(Lead.id.in_(lead_ids))).all())
    by_person: dict[int, list[str]] = {}
    for event in events:
        when = fmt_time(event.starts_at.astimezone(tz)) if event.has_time else "—"
        label = f"*{companies.get(event.lead_id, '?')}*"
        by_person.setdefault(event.assignee_id, []).append(f"• {when} {kind_label(ctx.lang, event.kind)}: {label}")
    for row in followups:
        first = row.body.strip().splitlines()[0] if row.body.strip() else ""
        label = f"*{companies[row.lead_id]}*" if row.lead_id in companies else first[:80]
        line = f"• {fmt_time(row.due_at.astimezone(tz))} {t(ctx, 'team_followup')}: {label}"
        by_person.setdefault(row.recipient_user_id or 0, []).append(line)
    names = _names(ctx, set(by_person))
    if person is not None:
        header = t(ctx, "team_person_tasks_header", name=person.name, day=day_text)
    else:
        header = t(ctx, "team_tasks_header" if _sees_team(ctx) else "tasks_header", day=day_text)
    lines = [header]
    order = sorted(by_person, key=lambda i: (names.get(i, ""), i))
    for user_id in order[:PEOPLE_SHOWN]:
        items = by_person[user_id]
        lines.append("")
        lines.append(f"👤 *{names.get(user_id, '?')}* ({len(items)})")
        lines += items[:PER_PERSON]
        lines += _more(ctx, len(items) - PER_PERSON)
    hidden = sum(len(by_person[i]) for i in order[PEOPLE_SHOWN:])
    if hidden:
        lines.append("")
        lines.append(t(ctx, "team_more_people", people=len(order) - PEOPLE_SHOWN, n=hidden))
    if person is None:
        _note_own_view(ctx, lines)
    ctx.reply("\n".join(lines))
    return None


# --- pipeline_summary ----------------------------------------------------------------------------------------


def pipeline_summary(ctx: HandlerContext, req: Request) -> Lead | None:
    """Leads by status, new this week, and meetings/demos past their time not marked done: the team's (or one
    person's) pipeline."""
    person, done = _person(ctx, req)
    if done:
        return None
    tz = team_tz(ctx)
    now = ctx.now()
    today = now.astimezone(tz).date()
    week_start = datetime.combine(today - timedelta(days=today.weekday()), time(0, 0), tzinfo=tz)
    scope = (lead_scope(ctx.sender), Lead.owner_id == person.id) if person else (lead_scope(ctx.sender),)
    counts = dict(ctx.session.execute(select(Lead.status, func.count()).where(*scope).group_by(Lead.status)).all())
    new_week = ctx.session.scalar(select(func.count()).select_from(Lead).where(*scope, Lead.created_at >= week_start))
    who = Event.assignee_id == person.id if person else user_scope(ctx.sender, Event.assignee_id)
    overdue_where = (who, Event.status == "scheduled", Event.starts_at < now)
    overdue_n = ctx.session.scalar(select(func.count()).select_from(Event).where(*overdue_where)) or 0
    overdue = list(
        ctx.session.scalars(
            select(Event).where(*overdue_where).order_by(Event.starts_at, Event.id).limit(OVERDUE_SHOWN)
        )
    )
    if person is not None:
        header = t(ctx, "pipeline_person_header", name=person.name)
    else:
        header = t(ctx, "pipeline_header" if _sees_team(ctx) else "pipeline_own_header")
    total = sum(counts.values())
    lines = [header, t(ctx, "pipeline_total", n=total, week=new_week or 0)]
    lines += [f"• {status_label(ctx.lang, s)}: {counts[s]}" for s in LeadStatus.ORDER if counts.get(s)]
    if overdue_n:
        companies = dict(
            ctx.session.execute(select(Lead.id, Lead.company).where(Lead.id.in_({e.lead_id for e in overdue}))).all()
        )
        names = _names(ctx, {e.assignee_id for e in overdue})
        lines.append("")
        lines.append(t(ctx, "pipeline_overdue", n=overdue_n))
        for event in overdue:
            when = fmt_when(ctx, event.starts_at, with_time=event.has_time)
            company = companies.get(event.lead_id, "?")
            lines.append(
                f"• {kind_label(ctx.lang, event.kind)} *{company}* — {names.get(event.assignee_id, '?')}, {when}"
            )
        lines += _more(ctx, overdue_n - OVERDUE_SHOWN)
    else:
        lines.append(t(ctx, "pipeline_no_overdue"))
    if person is None:
        _note_own_view(ctx, lines)
    ctx.reply("\n".join(lines))
    return None
