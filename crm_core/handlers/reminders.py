"""Personal reminders and follow-ups: "remind me Friday to call Acme", "follow up with Acme on 5th Dec",
"Acme ko kal call karna hai".

A reminder is an outbox row (kind "reminder", addressed to the sender, due at the moment asked for): the timer's
sweep delivers it on WhatsApp at that moment, "my tasks" and the API's tasks list it (they list pending reminder
rows), and a reminder about a lead appears in the lead's history (the row carries the lead, and an activity is
logged). A date alone means 10:00 team time; a moment already past is asked about again.
"""

from __future__ import annotations

from datetime import time

from crm_core.db.models import Lead, User
from crm_core.handlers.common import Request, ask_choice, contact_text, fmt_time, fmt_when, team_tz
from crm_core.handlers.context import HandlerContext
from crm_core.handlers.events import fmt_when_en
from crm_core.handlers.texts import t
from crm_core.handlers.waiting import example_when, wait_for
from crm_core.matching import find_lead
from crm_core.outbox import record

REMINDER_TIME = time(10, 0)  # a reminder for a day without a time: 10:00 team time


def _lead_of(ctx: HandlerContext, req: Request) -> tuple[Lead | None, bool]:
    """The lead a reminder is about (None for a personal one) and whether the bot asked which one instead."""
    if req.lead_id is not None:
        from crm_core.access import find_visible_lead

        return find_visible_lead(ctx.session, ctx.sender, req.lead_id), False
    company = req.command.company
    if not company:
        return None, False
    match = find_lead(ctx.session, ctx.sender, company)
    if match.ambiguous:
        ask_choice(ctx, req.command, match.candidates)
        return None, True
    return match.lead, False  # no such lead: a personal reminder ("call my CA"), with the words as written


def set_reminder(ctx: HandlerContext, req: Request) -> Lead | None:
    """Record a reminder to the sender for the moment asked (asking when, when it is missing or past)."""
    cmd = req.command
    lead, asked = _lead_of(ctx, req)
    if asked:
        return None
    note = cmd.note or (cmd.company and f"follow up with {cmd.company}") or "follow up"
    tz = team_tz(ctx)
    due = cmd.when_datetime(tz, REMINDER_TIME)
    if due is None:
        wait_for(ctx, cmd, t(ctx, "reminder_when", note=note, example=example_when(ctx)), lead=lead)
        return lead
    if due <= ctx.now():
        wait_for(ctx, cmd.model_copy(update={"when": None}), t(ctx, "reminder_past", when=fmt_when(ctx, due)))
        return lead
    about = t(ctx, "reminder_due_about", company=lead.company, contact=_contact(lead)) if lead else ""
    row = record(
        ctx.session,
        to=ctx.sender,
        body=t(ctx, "reminder_due", note=note, about=about),
        kind="reminder",
        channel="whatsapp",
        due_at=due,
        lead_id=lead.id if lead else None,
        inbound_id=ctx.inbound_id,
        data={"personal": True, "set_by": ctx.sender.id, "note": note},
    )
    ctx.session.flush()
    lines = [
        t(
            ctx,
            "reminder_set",
            when=fmt_when(ctx, due),
            note=note,
            about=t(ctx, "reminder_about", company=lead.company) if lead else "",
        )
    ]
    if not cmd.has_time:
        lines.append(t(ctx, "reminder_default_time", time=fmt_time(due.astimezone(tz))))
    if lead is not None:
        ctx.log(
            lead,
            "reminder_set",
            f"Follow-up for {fmt_when_en(ctx, due)} set by {ctx.sender.name}: {note}",
            {"outbox_id": row.id, "due_at": due.isoformat(), "note": note},
        )
        owner = ctx.session.get(User, lead.owner_id)
        if owner is not None:
            ctx.notify(
                owner,
                t("en", "reminder_owner_notify", sender=ctx.sender.name, company=lead.company,
                  when=fmt_when_en(ctx, due), note=note),
                lead=lead,
            )  # fmt: skip
    ctx.reply("\n".join(lines), lead=lead)
    return lead


def _contact(lead: Lead) -> str:
    contact = contact_text(lead)
    return f" — {contact}" if contact else ""
