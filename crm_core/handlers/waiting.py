"""Questions the handlers ask mid-command (which lead? when?), answered through the one mechanism of
handlers.confirm: the command waits in the sender's conversation state (Awaiting.CONFIRM_COMMAND) and the answer
— a company, a day and time — completes it and runs it. A new command replaces the wait, chit-chat gets the
question again, the wait expires with confirm.ASK_TTL.
"""

from __future__ import annotations

from datetime import timedelta

from crm_core.commands import Command
from crm_core.db.models import Lead
from crm_core.handlers.common import Awaiting, fmt_day, save_state, team_tz
from crm_core.handlers.context import HandlerContext


def wait_for(ctx: HandlerContext, command: Command, text: str, *, lead: Lead | None = None) -> None:
    """Keep `command` (about `lead`, when known) until the sender answers `text`, and ask it."""
    from crm_core.handlers.confirm import ASK_TTL, Pending

    pending = Pending(command, [], {}, lead.id if lead is not None else None, ctx.lang)
    save_state(ctx, Awaiting.CONFIRM_COMMAND, ttl=ASK_TTL, lead=lead, data=pending.data())
    ctx.reply(text, lead=lead)


def example_when(ctx: HandlerContext) -> str:
    """A moment to show as an example, relative to today: 'tomorrow 4pm or Fri 27 Nov 11am'."""
    today = ctx.now().astimezone(team_tz(ctx)).date()
    later = fmt_day(today + timedelta(days=3), ctx.lang)
    if ctx.lang == "hi":
        return f"कल शाम 4 बजे या {later} 11 बजे"
    return f"tomorrow 4pm or {later} 11am"


def example_company(ctx: HandlerContext) -> str:
    """A company to show as an example: the sender's most recently touched lead, else a made-up one."""
    from crm_core.access import visible_leads

    stmt = visible_leads(ctx.sender).order_by(Lead.last_activity_at.desc(), Lead.id.desc()).limit(1)
    lead = ctx.session.scalars(stmt).first()
    return lead.company if lead is not None else "Acme Pvt Ltd"
