"""Free-text activities: calls, emails, notes — added to the lead's history."""

from __future__ import annotations

from crm_core.db.models import Lead
from crm_core.handlers.common import Request, resolve_lead
from crm_core.handlers.context import HandlerContext
from crm_core.handlers.texts import t


def add_activity(ctx: HandlerContext, req: Request) -> Lead | None:
    """Add the note as an activity on the lead."""
    lead = resolve_lead(ctx, req)
    if lead is None:
        return None
    note = req.command.note
    if not note:
        ctx.reply(t(ctx, "activity_need_note", company=lead.company), lead=lead)
        return lead
    ctx.log(lead, "note", note)
    ctx.reply(t(ctx, "activity_added", company=lead.company, note=note), lead=lead)
    return lead
