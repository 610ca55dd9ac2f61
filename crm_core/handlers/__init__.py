"""The workflows: `respond()` answers one message — conversation state first, then parse, then one handler.

Runs inside the caller's open transaction (ctx.session) and never commits; everything it sends is an outbox
row recorded through ctx.reply / ctx.notify. A TransientError from the parser or the database propagates so the
queue retries the message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Integer, cast, literal_column, null, select, union_all

from crm_core.access import visible_leads
from crm_core.commands import Command, Intent, ParseResult
from crm_core.db.models import ConversationState, Lead, User
from crm_core.handlers import activities, events, leads, queries
from crm_core.handlers import help as help_handlers
from crm_core.handlers.common import Awaiting, Request, clear_state, load_state
from crm_core.handlers.context import HandlerContext
from crm_core.handlers.texts import t
from crm_core.matching import has_devanagari, match_lead
from crm_core.ports import ParseContext, Parser

__all__ = ["HANDLERS", "HandlerContext", "RespondOutcome", "respond", "run_command"]

Handler = Callable[[HandlerContext, Request], Lead | None]

HANDLERS: dict[Intent, Handler] = {
    Intent.NEW_LEAD: leads.new_lead,
    Intent.QUALIFY_LEAD: leads.qualify_lead,
    Intent.LEAD_DETAILS: leads.lead_details,
    Intent.REASSIGN_LEAD: leads.reassign_lead,
    Intent.MARK_WON: leads.mark_won,
    Intent.MARK_LOST: leads.mark_lost,
    Intent.SCHEDULE_MEETING: events.schedule_meeting,
    Intent.SCHEDULE_DEMO: events.schedule_demo,
    Intent.RESCHEDULE_MEETING: events.reschedule_meeting,
    Intent.RESCHEDULE_DEMO: events.reschedule_demo,
    Intent.MEETING_DONE: events.meeting_done,
    Intent.DEMO_DONE: events.demo_done,
    Intent.ADD_ACTIVITY: activities.add_activity,
    Intent.LIST_TASKS: queries.list_tasks,
    Intent.LIST_LEADS: queries.list_leads,
    Intent.LEAD_INFO: queries.lead_info,
    Intent.HELP: help_handlers.help_,
    Intent.UNKNOWN: help_handlers.unknown,
}

RECENT_LEADS = 20
_NUMBER = re.compile(r"^\s*(?:#|no\.?\s*|number\s*|नंबर\s*)?([0-9०-९]{1,2})\s*[.)]?\s*$", re.IGNORECASE)
_YES = re.compile(
    r"^\s*(yes|y|yeah|yep|ok|okay|haan|haa|han|ha|haan ji|ji|ji haan|confirm|create|create it|sure|"
    r"हाँ|हां|हा|जी|जी हाँ|जी हां|ठीक है)\s*[.!]*\s*$",
    re.IGNORECASE,
)
_NO = re.compile(
    r"^\s*(no|n|nope|nah|cancel|don't|dont|stop|nahi|nahin|na|mat|mat karo|rehne do|नहीं|नही|ना|रहने दो)\s*[.!]*\s*$",
    re.IGNORECASE,
)


@dataclass
class RespondOutcome:
    """What respond() did: the intent it ran, the lead it acted on, and the parse (None for a state answer)."""

    intent: str
    lead_id: int | None = None
    parse: ParseResult | None = None
    via_state: str | None = None  # the conversation state this message answered, if any


def run_command(ctx: HandlerContext, req: Request) -> Lead | None:
    """Run one command through its handler."""
    return HANDLERS[req.command.intent](ctx, req)


def respond(ctx: HandlerContext, text: str, parser: Parser) -> RespondOutcome:
    """Answer one message from an active user: state answer, or parse and run one handler."""
    if has_devanagari(text):
        ctx.lang = "hi"
    state = load_state(ctx)
    if state is not None:
        answered = _answer_state(ctx, state, text)
        if answered is not None:
            return answered
    result = parser.parse(text, parse_context(ctx, state))
    command = result.command
    req = Request(command)
    if state is not None:
        if state.awaiting == Awaiting.DETAILS and (
            command.intent == Intent.LEAD_DETAILS or (command.intent == Intent.UNKNOWN and command.details is not None)
        ):
            command = command.model_copy(update={"intent": Intent.LEAD_DETAILS})
            req = Request(command, state=state)
        elif command.intent == Intent.UNKNOWN and state.awaiting != Awaiting.DETAILS:
            _reprompt(ctx, state)
            return _outcome(ctx, command.intent, None, result, state.awaiting)
        elif command.intent == Intent.UNKNOWN:
            pass  # chit-chat while details are awaited: answer it, keep waiting
        else:
            clear_state(ctx)  # a new command: whatever was awaited is dropped
    lead = run_command(ctx, req)
    return _outcome(ctx, command.intent, lead, result, req.state.awaiting if req.state else None)


def parse_context(ctx: HandlerContext, state: ConversationState | None = None) -> ParseContext:
    """What the parser may know: now, the zone, the sender, the team's names, recent leads, what is awaited."""
    session = ctx.session
    # One round trip for both lists: the team's names (k=0) and the sender's newest leads (k=1).
    names_stmt = select(
        User.name.label("v"),
        literal_column("0", Integer).label("k"),
        cast(null(), Lead.last_activity_at.type).label("t"),
        cast(null(), Integer).label("i"),
    ).where(User.active.is_(True))
    recent_stmt = (
        visible_leads(ctx.sender)
        .with_only_columns(
            Lead.company.label("v"),
            literal_column("1", Integer).label("k"),
            Lead.last_activity_at.label("t"),
            Lead.id.label("i"),
        )
        .order_by(Lead.last_activity_at.desc(), Lead.id.desc())
        .limit(RECENT_LEADS)
        .subquery()
    )
    recent_part = select(recent_stmt.c.v, recent_stmt.c.k, recent_stmt.c.t, recent_stmt.c.i)
    both = union_all(names_stmt, recent_part).subquery()
    rows = session.execute(
        select(both.c.v, both.c.k).order_by(both.c.k, both.c.t.desc(), both.c.i.desc(), both.c.v)
    ).all()
    names = tuple(v for v, k in rows if k == 0)
    recent = tuple(v for v, k in rows if k == 1)
    return ParseContext(
        now=ctx.now(),
        tz=ctx.settings.tz,
        sender_name=ctx.sender.name,
        team_names=names,
        recent_leads=recent,
        extra={"awaiting": state.awaiting} if state is not None else {},
    )


def _outcome(
    ctx: HandlerContext, intent: str, lead: Lead | None, parse: ParseResult | None, via: str | None
) -> RespondOutcome:
    lead_id = lead.id if lead is not None else ctx.lead_id
    if lead_id is not None:
        ctx.lead_id = lead_id
    return RespondOutcome(intent=str(intent), lead_id=lead_id, parse=parse, via_state=via)


def _stored_command(state: ConversationState) -> Command | None:
    raw = (state.data or {}).get("command")
    if not isinstance(raw, dict):
        return None
    try:
        return Command.model_validate(raw)
    except ValueError:
        return None


def _answer_state(ctx: HandlerContext, state: ConversationState, text: str) -> RespondOutcome | None:
    """Handle a number (choice) or yes/no (duplicate) answer without parsing; None when it is not one."""
    if state.awaiting == Awaiting.CHOOSE_LEAD:
        ids = [int(i) for i in (state.data or {}).get("lead_ids", [])]
        command = _stored_command(state)
        if command is None:
            clear_state(ctx)
            return None
        match = _NUMBER.match(text)
        if match is None:
            picked = _pick_by_name(ctx, text, ids)
            if picked is None:
                return None
            number = ids.index(picked) + 1
        else:
            number = int(match.group(1).translate(str.maketrans("०१२३४५६७८९", "0123456789")))
        if not 1 <= number <= len(ids):
            ctx.reply(t(ctx, "choose_out_of_range", n=len(ids)))
            return _outcome(ctx, Intent.UNKNOWN, None, None, state.awaiting)
        clear_state(ctx)
        lead = run_command(ctx, Request(command, lead_id=ids[number - 1]))
        return _outcome(ctx, command.intent, lead, None, Awaiting.CHOOSE_LEAD)
    if state.awaiting == Awaiting.CONFIRM_DUPLICATE:
        command = _stored_command(state)
        if command is None:
            clear_state(ctx)
            return None
        if _YES.match(text):
            clear_state(ctx)
            lead = run_command(ctx, Request(command, confirmed=True))
            return _outcome(ctx, command.intent, lead, None, Awaiting.CONFIRM_DUPLICATE)
        if _NO.match(text):
            clear_state(ctx)
            ctx.reply(t(ctx, "duplicate_dropped", company=command.company or command.contact_name or ""))
            return _outcome(ctx, Intent.UNKNOWN, None, None, Awaiting.CONFIRM_DUPLICATE)
    return None


def _pick_by_name(ctx: HandlerContext, text: str, ids: list[int]) -> int | None:
    """The offered lead a reply names outright ("Sharma Steels" instead of "2"), if exactly one."""
    offered = [lead for lead in (ctx.session.get(Lead, i) for i in ids) if lead is not None]
    match = match_lead(text, offered)
    return match.lead.id if match.lead is not None else None


def _reprompt(ctx: HandlerContext, state: ConversationState) -> None:
    """Remind the sender what the bot is waiting for (the state is kept)."""
    if state.awaiting == Awaiting.CHOOSE_LEAD:
        ctx.reply(t(ctx, "choose_out_of_range", n=len((state.data or {}).get("lead_ids", []))))
    else:
        command = _stored_command(state)
        company = (command.company or command.contact_name or "") if command else ""
        ctx.reply(t(ctx, "confirm_reprompt", company=company))
