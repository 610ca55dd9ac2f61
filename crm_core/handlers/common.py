"""What the handlers share: the request, finding the lead (only in the sender's scope), conversation state, formats."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select

from crm_core.access import find_visible_lead, may_assign
from crm_core.commands import Command
from crm_core.db.models import ConversationState, Lead, LeadStatus, User
from crm_core.handlers.context import HandlerContext
from crm_core.handlers.texts import status_label, t
from crm_core.matching import find_lead, find_user

CHOICE_TTL = timedelta(hours=2)
CONFIRM_TTL = timedelta(hours=2)
DETAILS_TTL = timedelta(days=1)


class Awaiting:
    """What a conversation state waits for."""

    DETAILS = "details"
    CHOOSE_LEAD = "choose_lead"
    CONFIRM_DUPLICATE = "confirm_duplicate"
    CONFIRM_COMMAND = "confirm_command"  # a command the parser was unsure of, echoed back (handlers.confirm)


@dataclass
class Request:
    """A command to run, plus what an earlier answer settled (the chosen lead, a confirmed duplicate)."""

    command: Command
    lead_id: int | None = None
    confirmed: bool = False
    state: ConversationState | None = None


# --- conversation state ---------------------------------------------------------------------------------------


def load_state(ctx: HandlerContext) -> ConversationState | None:
    """The sender's live conversation state (an expired one is removed)."""
    if ctx.state_read:  # read with the message, in this transaction, after the sender was locked
        ctx.state_read = False
        row = ctx.state
    else:
        row = ctx.session.scalar(select(ConversationState).where(ConversationState.user_id == ctx.sender.id))
    if row is None:
        return None
    if row.expires_at <= ctx.now():
        ctx.session.delete(row)
        ctx.session.flush()
        return None
    return row


def save_state(
    ctx: HandlerContext, awaiting: str, *, ttl: timedelta, lead: Lead | None = None, data: dict[str, Any] | None = None
) -> ConversationState:
    """Set what the bot awaits from the sender next (replacing any earlier state)."""
    clear_state(ctx)
    row = ConversationState(
        user_id=ctx.sender.id,
        awaiting=awaiting,
        lead_id=lead.id if lead else None,
        data=data,
        expires_at=ctx.now() + ttl,
        updated_at=ctx.now(),
    )
    ctx.session.add(row)
    ctx.session.flush()
    ctx.saved_state = row
    return row


def clear_state(ctx: HandlerContext) -> None:
    """Forget what the bot awaited from the sender."""
    ctx.session.execute(delete(ConversationState).where(ConversationState.user_id == ctx.sender.id))


# --- finding the lead ------------------------------------------------------------------------------------------


def resolve_lead(ctx: HandlerContext, req: Request) -> Lead | None:
    """The lead a command is about, or None after replying (ask which, numbered choice, not found).

    Only leads in the sender's scope are ever found (crm_core.access): any other lead, by name or by an id kept
    in the conversation state, gets the same answer as a lead that does not exist.
    """
    if req.lead_id is not None:
        lead = find_visible_lead(ctx.session, ctx.sender, req.lead_id)
        if lead is None:
            ctx.reply(t(ctx, "lead_gone"))
        return lead
    company = req.command.company
    if not company:
        from crm_core.handlers.confirm import describe
        from crm_core.handlers.waiting import example_company, wait_for

        # The command waits for the answer (a company) and runs with it (handlers.confirm answers it).
        text = t(ctx, "which_lead_for", what=describe(ctx, req.command), example=example_company(ctx))
        wait_for(ctx, req.command, text)
        return None
    match = find_lead(ctx.session, ctx.sender, company)
    if match.lead is not None:
        return match.lead
    if match.ambiguous:
        ask_choice(ctx, req.command, match.candidates)
        return None
    if match.suggestion is not None:
        ctx.reply(t(ctx, "lead_not_found_suggest", company=company, suggestion=match.suggestion.company))
    else:
        ctx.reply(t(ctx, "lead_not_found", company=company))
    return None


def ask_choice(ctx: HandlerContext, command: Command, leads: list[Lead]) -> None:
    """Reply with a numbered list of leads and remember the command until one is picked."""
    lines = [
        f"{i}. *{lead.company}* — {owner_name(ctx, lead)}, {status_label(ctx.lang, lead.status)}"
        for i, lead in enumerate(leads, 1)
    ]
    save_state(
        ctx,
        Awaiting.CHOOSE_LEAD,
        ttl=CHOICE_TTL,
        data={"command": command.model_dump(mode="json"), "lead_ids": [lead.id for lead in leads]},
    )
    ctx.reply(t(ctx, "choose_lead", company=command.company or "", options="\n".join(lines), n=len(leads)))


def owner_name(ctx: HandlerContext, lead: Lead) -> str:
    """The lead owner's name."""
    owner = ctx.session.get(User, lead.owner_id)
    return owner.name if owner else "?"


def resolve_assignee(ctx: HandlerContext, name: str) -> User | None:
    """The person the sender names to take on work, or None after replying (unknown, ambiguous, or outside the
    sender's team: only admins hand work across teams — crm_core.access.may_assign)."""
    match = find_user(ctx.session, name)
    if match.user is not None:
        if may_assign(ctx.sender, match.user):
            return match.user
        ctx.reply(t(ctx, "assignee_outside_team", name=match.user.name))
        return None
    if match.candidates:
        names = ", ".join(f"{u.name} (@{u.username})" for u in match.candidates)
        ctx.reply(t(ctx, "user_ambiguous", name=name, names=names))
    else:
        ctx.reply(t(ctx, "user_not_found", name=name))
    return None


# --- lead status -------------------------------------------------------------------------------------------------


def advance_status(lead: Lead, status: str) -> bool:
    """Move a lead forward to status (never backwards, never out of won/lost); True when it changed."""
    if lead.status in LeadStatus.CLOSED or lead.status == status:
        return False
    order = LeadStatus.ORDER
    if lead.status in order and status in order and order.index(status) < order.index(lead.status):
        return False
    lead.status = status
    return True


# --- formatting --------------------------------------------------------------------------------------------------

_EN_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_HI_DAYS = ("सोम", "मंगल", "बुध", "गुरु", "शुक्र", "शनि", "रवि")
_HI_MONTHS = ("जन", "फ़र", "मार्च", "अप्रैल", "मई", "जून", "जुलाई", "अग", "सित", "अक्टू", "नव", "दिस")


def fmt_day(day: date, lang: str = "en", today: date | None = None) -> str:
    """A day in words: 'Wed 25 Nov' (the year added when it is not this year)."""
    days, months = (_HI_DAYS, _HI_MONTHS) if lang == "hi" else (_EN_DAYS, _EN_MONTHS)
    text = f"{days[day.weekday()]} {day.day} {months[day.month - 1]}"
    if today is not None and day.year != today.year:
        text += f" {day.year}"
    return text


def fmt_time(moment: datetime) -> str:
    """A time of day: '4:00 PM'."""
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


def fmt_when(ctx: HandlerContext, moment: datetime, *, with_time: bool = True) -> str:
    """A moment in the team's zone, in words: 'Wed 25 Nov, 4:00 PM'."""
    tz = team_tz(ctx)
    local = moment.astimezone(tz)
    today = ctx.now().astimezone(tz).date()
    day = fmt_day(local.date(), ctx.lang, today)
    return f"{day}, {fmt_time(local)}" if with_time else day


def team_tz(ctx: HandlerContext) -> ZoneInfo:
    """The team's zone."""
    return ctx.settings.tz


def lead_line(ctx: HandlerContext, lead: Lead) -> str:
    """One short line about a lead: company, contact, phone."""
    rest = contact_text(lead)
    return f"*{lead.company}* — {rest}" if rest else f"*{lead.company}*"


def contact_text(lead: Lead) -> str:
    """The lead's contact person and phone, comma-separated (empty when neither is known)."""
    from crm_core.phones import pretty

    return ", ".join(p for p in (lead.contact_name, pretty(lead.phone) if lead.phone else None) if p)


def lead_details_text(lead: Lead) -> str:
    """The lead's contact details, one per line (for confirmations and notifications)."""
    from crm_core.phones import pretty

    lines = []
    if lead.contact_name:
        lines.append(f"👤 {lead.contact_name}")
    if lead.phone:
        lines.append(f"📞 {pretty(lead.phone)}")
    if lead.email:
        lines.append(f"✉️ {lead.email}")
    if lead.source:
        lines.append(f"🔎 {lead.source}")
    return "\n".join(lines)
