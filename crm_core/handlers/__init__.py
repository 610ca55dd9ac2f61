"""The workflows: `respond()` answers one message — conversation state first, then parse, then the handlers.

A message the parser was unsure of (source "ask") is not run: it is echoed back with a question and runs on the
answer (handlers.confirm). A message with several commands (`Command.also`) runs them in order (`run_all`).

Runs inside the caller's open transaction (ctx.session) and never commits; everything it sends is an outbox
row recorded through ctx.reply / ctx.notify. A TransientError from the parser or the database propagates so the
queue retries the message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy import Integer, cast, literal_column, null, select, union_all

from crm_core.access import visible_leads
from crm_core.commands import Command, Details, Intent, ParseResult
from crm_core.db.models import ConversationState, Lead, User
from crm_core.handlers import (
    activities,
    cancel,
    confirm,
    details_reply,
    events,
    leads,
    queries,
    reminders,
    status,
    team,
)
from crm_core.handlers import help as help_handlers
from crm_core.handlers.common import Awaiting, Request, clear_state, load_state
from crm_core.handlers.context import HandlerContext
from crm_core.handlers.texts import t
from crm_core.handlers.yesno import is_no, is_yes
from crm_core.matching import company_key, has_devanagari, match_lead
from crm_core.ports import ParseContext, Parser

__all__ = ["HANDLERS", "HandlerContext", "RespondOutcome", "respond", "run_all", "run_command"]

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
    Intent.LEAD_INFO: status.lead_info,
    Intent.TEAM_LEADS: team.team_leads,
    Intent.TEAM_TASKS: team.team_tasks,
    Intent.PIPELINE_SUMMARY: team.pipeline_summary,
    Intent.CANCEL_MEETING: cancel.cancel_meeting,
    Intent.CANCEL_DEMO: cancel.cancel_demo,
    Intent.SET_REMINDER: reminders.set_reminder,
    Intent.HELP: help_handlers.help_,
    Intent.UNKNOWN: help_handlers.unknown,
}

RECENT_LEADS = 20
_NUMBER = re.compile(r"^\s*(?:#|no\.?\s*|number\s*|नंबर\s*)?([0-9०-९]{1,2})\s*[.)]?\s*$", re.IGNORECASE)
ASK = "ask"  # RespondOutcome.intent of a message answered with a question (nothing was run)


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


# A follow-on command runs only when the first one did what it was asked; for these, answering is doing it.
_READS = frozenset(
    {
        Intent.LIST_TASKS,
        Intent.LIST_LEADS,
        Intent.LEAD_INFO,
        Intent.HELP,
        Intent.TEAM_LEADS,
        Intent.TEAM_TASKS,
        Intent.PIPELINE_SUMMARY,
    }
)


def run_all(ctx: HandlerContext, req: Request) -> Lead | None:
    """Run a command and the ones given with it (`also`), in order, in the caller's transaction.

    A follow-on without a company (or naming the same one) applies to the lead the first command created or found.
    When the first command stops at a question (a possible duplicate, which of several leads), the follow-ons are
    kept with that question and run after its answer; when it fails (lead not found, unknown owner, nothing
    changed), they are not applied and the reply says so. Each command replies for itself.
    """
    head, *rest = req.command.commands()
    if not rest:
        return run_command(ctx, req)
    ctx.saved_state = None
    logged = ctx.logged
    lead = run_command(ctx, replace(req, command=head))
    waiting = ctx.saved_state
    if waiting is not None and waiting.awaiting in (
        Awaiting.CHOOSE_LEAD,
        Awaiting.CONFIRM_DUPLICATE,
        Awaiting.CONFIRM_COMMAND,
    ):
        waiting.data = {**(waiting.data or {}), "command": req.command.model_dump(mode="json")}
        ctx.session.flush()
        ctx.reply(t(ctx, "also_pending", rest=_follow_ons(ctx, head, rest)))
        return lead
    if lead is None or (head.intent not in _READS and ctx.logged == logged):
        ctx.reply(t(ctx, "also_not_applied", rest=_follow_ons(ctx, head, rest)))
        return lead
    for command in rest:
        same = not command.company or company_key(command.company) == lead.company_key
        run_command(ctx, Request(command, lead_id=lead.id if same else None))
    return lead


def _follow_ons(ctx: HandlerContext, head: Command, rest: list[Command]) -> str:
    """The follow-on commands in words (a follow-on without a company is about the first command's)."""
    return "; ".join(confirm.describe(ctx, c, company_hint=head.company) for c in rest)


def respond(ctx: HandlerContext, text: str, parser: Parser | ParseResult) -> RespondOutcome:
    """Answer one message from an active user: a state answer, or parse and run (or ask, when nobody is sure).

    `parser` is a Parser (asked here, with parse_context, only when the message is not a state answer) or the
    message's ready ParseResult (the pipeline parses outside the transaction: crm_core.pipeline.process).
    """
    if has_devanagari(text):
        ctx.lang = "hi"
    state = load_state(ctx)
    if state is not None:
        answered = _answer_state(ctx, state, text)
        if answered is not None:
            return answered
    result = parser if isinstance(parser, ParseResult) else parser.parse(text, parse_context(ctx, state))
    command = result.command
    req = Request(command)
    if state is not None:
        if state.awaiting == Awaiting.CONFIRM_COMMAND and not confirm.replaces_wait(result):
            settled = _settle(ctx, confirm.unanswered(ctx, state, text, result), result)
            if settled is not None:
                return settled
            state = None
        elif state.awaiting == Awaiting.DETAILS and (
            command.intent == Intent.LEAD_DETAILS or (command.intent == Intent.UNKNOWN and command.details is not None)
        ):
            command = command.model_copy(update={"intent": Intent.LEAD_DETAILS})
            req = Request(command, state=state)
        elif state.awaiting == Awaiting.DETAILS and (unlabelled := _unlabelled(ctx, state, text, result)) is not None:
            command = Command(intent=Intent.LEAD_DETAILS, details=unlabelled)
            req = Request(command, state=state)
            # Placed by their look and the order asked in: a reading to confirm, not to act on (handlers.confirm).
            result = result.model_copy(update={"source": "ask", "doubts": []})
        elif command.intent == Intent.UNKNOWN and state.awaiting != Awaiting.DETAILS:
            _reprompt(ctx, state)
            return _outcome(ctx, command.intent, None, result, state.awaiting)
        elif command.intent == Intent.UNKNOWN:
            pass  # chit-chat while details are awaited: answer it, keep waiting
        else:
            clear_state(ctx)  # a new command: whatever was awaited is dropped
    if command is not result.command:
        result = result.model_copy(update={"command": command})
    if confirm.should_ask(result):
        return _ask(ctx, result, req)
    lead = run_all(ctx, req)
    return _outcome(ctx, command.intent, lead, result, req.state.awaiting if req.state else None)


def _unlabelled(ctx: HandlerContext, state: ConversationState, text: str, result: ParseResult) -> Details | None:
    """Details without labels in answer to "please send …" (handlers.details_reply), when the parser saw no
    command it is sure of: the awaited lead is kept, not thrown away."""
    if result.command.intent is not Intent.UNKNOWN and result.source != "ask":
        return None
    lead = ctx.session.get(Lead, state.lead_id) if state.lead_id is not None else None
    return details_reply.read(state, lead, text, leads.missing_details(lead) if lead else [])


def _ask(ctx: HandlerContext, result: ParseResult, req: Request) -> RespondOutcome:
    """Echo an unsure command back with a question instead of running it (see handlers.confirm)."""
    state = req.state
    about = state.lead_id if state is not None and not result.command.company else None
    confirm.ask(ctx, result, lead_id=about)
    return _outcome(ctx, ASK, None, result, None)


def _settle(ctx: HandlerContext, decision: confirm.Decision, parse: ParseResult | None = None) -> RespondOutcome | None:
    """Carry out what an answer to a pending question decided: run the command, or note that it was asked/dropped."""
    if decision is None:
        return None
    if isinstance(decision, confirm.Go):
        lead = run_all(ctx, Request(decision.command, lead_id=decision.lead_id))
        return _outcome(ctx, decision.command.intent, lead, parse, Awaiting.CONFIRM_COMMAND)
    intent = ASK if decision == confirm.ASKED else Intent.UNKNOWN
    return _outcome(ctx, intent, None, parse, Awaiting.CONFIRM_COMMAND)


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
    parts = [names_stmt, recent_part]
    waiting_on = _state_lead_ids(state)
    if waiting_on:  # the companies the awaited answer is about (k=2), in the same round trip
        parts.append(
            select(
                Lead.company.label("v"),
                literal_column("2", Integer).label("k"),
                cast(null(), Lead.last_activity_at.type).label("t"),
                Lead.id.label("i"),
            ).where(Lead.id.in_(waiting_on))
        )
    both = union_all(*parts).subquery()
    rows = session.execute(
        select(both.c.v, both.c.k, both.c.i).order_by(both.c.k, both.c.t.desc(), both.c.i.desc(), both.c.v)
    ).all()
    names = tuple(v for v, k, _ in rows if k == 0)
    recent = tuple(v for v, k, _ in rows if k == 1)
    companies = {i: v for v, k, i in rows if k == 2}
    return ParseContext(
        now=ctx.now(),
        tz=ctx.settings.tz,
        sender_name=ctx.sender.name,
        team_names=names,
        recent_leads=recent,
        extra=_awaiting_extra(state, companies),
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
    """Handle a number (choice), a yes/no (duplicate) or an answer to a question about an unsure command without
    parsing; None when the message is not one."""
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
        lead = run_all(ctx, Request(command, lead_id=ids[number - 1]))
        return _outcome(ctx, command.intent, lead, None, Awaiting.CHOOSE_LEAD)
    if state.awaiting == Awaiting.CONFIRM_DUPLICATE:
        command = _stored_command(state)
        if command is None:
            clear_state(ctx)
            return None
        if is_yes(text):
            clear_state(ctx)
            lead = run_all(ctx, Request(command, confirmed=True))
            return _outcome(ctx, command.intent, lead, None, Awaiting.CONFIRM_DUPLICATE)
        if is_no(text):
            clear_state(ctx)
            ctx.reply(t(ctx, "duplicate_dropped", company=command.company or command.contact_name or ""))
            return _outcome(ctx, Intent.UNKNOWN, None, None, Awaiting.CONFIRM_DUPLICATE)
    if state.awaiting == Awaiting.CONFIRM_COMMAND:
        return _settle(ctx, confirm.answer(ctx, state, text))
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
    elif state.awaiting == Awaiting.CONFIRM_COMMAND:
        confirm.reprompt(ctx, state)
    else:
        command = _stored_command(state)
        company = (command.company or command.contact_name or "") if command else ""
        ctx.reply(t(ctx, "confirm_reprompt", company=company))


# --- what the parser is told about the awaited answer (ParseContext.extra) -------------------------------------


def _state_lead_ids(state: ConversationState | None) -> list[int]:
    """The leads a conversation state is about: the lead awaiting details, or the leads offered for a choice."""
    if state is None:
        return []
    if state.awaiting == Awaiting.CHOOSE_LEAD:
        return [int(i) for i in (state.data or {}).get("lead_ids", [])][:10]
    return [state.lead_id] if state.lead_id is not None else []


def _awaiting_extra(state: ConversationState | None, companies: dict[int, str]) -> dict[str, str]:
    """ParseContext.extra for a state: "awaiting" and, in a few words, what it is about ("pending")."""
    if state is None:
        return {}
    extra = {"awaiting": state.awaiting}
    command = _stored_command(state)
    offered = [companies[i] for i in _state_lead_ids(state) if i in companies]
    if state.awaiting == Awaiting.DETAILS and offered:
        extra["pending"] = f"details of the lead {offered[0]}"
    elif state.awaiting == Awaiting.CHOOSE_LEAD and command is not None:
        choices = "; ".join(f"{n}. {company}" for n, company in enumerate(offered, 1))
        extra["pending"] = f"which lead the command {command.intent.value} is about: {choices}"
    elif state.awaiting == Awaiting.CONFIRM_DUPLICATE and command is not None:
        extra["pending"] = f"whether to create the lead {command.company or command.contact_name or ''}".strip()
    return extra
