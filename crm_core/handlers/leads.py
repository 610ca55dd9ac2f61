"""Lead workflows: new lead (with the duplicate guard), qualification and its details, reassign, won and lost."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from crm_core.access import in_scope, is_leader
from crm_core.commands import REQUIRED_DETAILS, Command, Details
from crm_core.db.models import Event, Lead, LeadStatus, User
from crm_core.handlers.common import (
    CONFIRM_TTL,
    DETAILS_TTL,
    Awaiting,
    Request,
    advance_status,
    clear_state,
    lead_details_text,
    owner_name,
    resolve_assignee,
    resolve_lead,
    save_state,
)
from crm_core.handlers.context import HandlerContext
from crm_core.handlers.texts import detail_label, status_label, t
from crm_core.matching import company_key

_EXAMPLE = {
    "address": "Address: 12 MG Road, Pune",
    "turnover": "Turnover: 5 crore",
    "current_system": "Current system: Tally",
    "challenges": "Challenges: manual reports",
}


@dataclass(frozen=True)
class Duplicate:
    """An existing lead like the new one: which (when the sender may see it) and what matched."""

    lead: Lead | None  # None: it is outside the sender's scope, and must not be named
    why: str  # "dup_same_phone" | "dup_same_company"


def find_duplicate(ctx: HandlerContext, command: Command) -> Duplicate | None:
    """An existing lead anywhere in the organisation with the same phone (E.164) or company key.

    The whole organisation is searched (the same client must not be taken twice), but a duplicate outside the
    sender's scope comes back without its lead: whether any such lead exists wins over any visible one (one query,
    hidden ones first), since "create it anyway" would still duplicate the hidden one.
    """
    conditions = []
    if command.phone:
        conditions.append(Lead.phone == command.phone)
    key = company_key(command.company or "")
    if key:
        conditions.append(Lead.company_key == key)
    if not conditions:
        return None
    visible = in_scope(ctx.sender)
    row = ctx.session.execute(
        select(Lead, visible.label("visible")).where(or_(*conditions)).order_by(visible, Lead.id).limit(1)
    ).first()
    if row is None:
        return None
    lead, is_visible = row
    why = "dup_same_phone" if command.phone and lead.phone == command.phone else "dup_same_company"
    return Duplicate(lead if is_visible else None, why)


def _refuse_hidden_duplicate(ctx: HandlerContext, duplicate: Duplicate) -> None:
    """The whole reply for a duplicate the sender may not see: that it exists, and whom to ask — nothing else."""
    ask = t(ctx, "ask_an_admin" if is_leader(ctx.sender) else "ask_your_leader")
    which = "duplicate_elsewhere_phone" if duplicate.why == "dup_same_phone" else "duplicate_elsewhere_company"
    ctx.reply(t(ctx, which, ask=ask))


def new_lead(ctx: HandlerContext, req: Request) -> Lead | None:
    """Create a lead (owner: the named assignee, else the sender), log it, confirm and notify the owner."""
    cmd = req.command
    company = cmd.company or cmd.contact_name
    if not company:
        ctx.reply(t(ctx, "new_lead_need_company"))
        return None
    owner = ctx.sender
    if cmd.assignee:
        found = resolve_assignee(ctx, cmd.assignee)
        if found is None:
            return None
        owner = found
    duplicate = find_duplicate(ctx, cmd.model_copy(update={"company": company}))
    if duplicate is not None and duplicate.lead is None:  # checked again after a "yes": never overridden
        _refuse_hidden_duplicate(ctx, duplicate)
        return None
    if duplicate is not None and duplicate.lead is not None and not req.confirmed:
        lead = duplicate.lead
        save_state(
            ctx, Awaiting.CONFIRM_DUPLICATE, ttl=CONFIRM_TTL, lead=lead, data={"command": cmd.model_dump(mode="json")}
        )
        status = status_label(ctx.lang, lead.status)
        why = t(ctx, duplicate.why)
        ctx.reply(
            t(ctx, "duplicate_found", company=lead.company, why=why, owner=owner_name(ctx, lead), status=status),
            lead=lead,
        )
        return lead
    now = ctx.now()
    lead = Lead(
        company=company,
        company_key=company_key(company),
        contact_name=cmd.contact_name,
        phone=cmd.phone,
        email=cmd.email,
        source=cmd.source,
        status=LeadStatus.NEW,
        owner_id=owner.id,
        creator_id=ctx.sender.id,
        created_at=now,
        updated_at=now,
        last_activity_at=now,
    )
    if cmd.details is not None:
        for name, value in cmd.details.given().items():
            setattr(lead, name, value)
    ctx.session.add(lead)
    ctx.session.flush()
    text = f"Lead created by {ctx.sender.name} and assigned to {owner.name}"
    if req.confirmed:
        text += " (confirmed despite a possible duplicate)"
    ctx.log(lead, "lead_created", text, {"command": cmd.to_contract()})
    details = lead_details_text(lead)
    ctx.reply(t(ctx, "lead_created", company=lead.company, details=details, owner=owner.name).replace("\n\n", "\n"))
    ctx.notify(
        owner,
        t("en", "lead_assigned_notify", sender=ctx.sender.name, company=lead.company, details=details).strip(),
        lead=lead,
    )
    return lead


def missing_details(lead: Lead) -> list[str]:
    """The required qualification details the lead does not have yet."""
    return [name for name in REQUIRED_DETAILS if not getattr(lead, name)]


def _save_details(ctx: HandlerContext, lead: Lead, details: Details | None) -> dict[str, str]:
    given = details.given() if details is not None else {}
    for name, value in given.items():
        setattr(lead, name, value)
    if given:
        summary = ", ".join(f"{name.replace('_', ' ')}: {value}" for name, value in given.items())
        ctx.log(lead, "details_updated", f"Details updated: {summary}", {"details": given})
    return given


def _labels(ctx: HandlerContext, names: list[str]) -> str:
    return ", ".join(f"*{detail_label(ctx.lang, n)}*" for n in names)


def qualify_lead(ctx: HandlerContext, req: Request) -> Lead | None:
    """Mark the lead qualified, keep any details given, and ask for exactly the ones still missing."""
    lead = resolve_lead(ctx, req)
    if lead is None:
        return None
    previous = lead.status
    advance_status(lead, LeadStatus.QUALIFIED)
    ctx.log(lead, "qualified", f"Lead qualified by {ctx.sender.name}", {"from": previous, "to": lead.status})
    _save_details(ctx, lead, req.command.details)
    missing = missing_details(lead)
    if not missing:
        clear_state(ctx)
        ctx.reply(t(ctx, "qualified_done", company=lead.company), lead=lead)
        return lead
    save_state(ctx, Awaiting.DETAILS, ttl=DETAILS_TTL, lead=lead)
    example = ", ".join(_EXAMPLE[n] for n in missing)
    ctx.reply(t(ctx, "qualified_ask", company=lead.company, missing=_labels(ctx, missing), example=example), lead=lead)
    return lead


def lead_details(ctx: HandlerContext, req: Request) -> Lead | None:
    """Save qualification details to the lead the sender named, or the one whose details the bot awaits."""
    state = req.state
    if req.command.company or req.lead_id is not None:
        lead = resolve_lead(ctx, req)
    elif state is not None and state.awaiting == Awaiting.DETAILS and state.lead_id is not None:
        lead = resolve_lead(ctx, Request(req.command, lead_id=state.lead_id))
    else:
        ctx.reply(t(ctx, "details_which_lead"))
        return None
    if lead is None:
        return None
    given = _save_details(ctx, lead, req.command.details)
    if not given:
        ctx.reply(t(ctx, "details_empty", company=lead.company), lead=lead)
        return lead
    saved = _labels(ctx, list(given))
    awaiting_this = state is not None and state.awaiting == Awaiting.DETAILS and state.lead_id == lead.id
    missing = missing_details(lead)
    if awaiting_this and missing:
        save_state(ctx, Awaiting.DETAILS, ttl=DETAILS_TTL, lead=lead)
        ctx.reply(
            t(ctx, "details_saved_ask", company=lead.company, saved=saved, missing=_labels(ctx, missing)), lead=lead
        )
    elif not missing:
        if awaiting_this:
            clear_state(ctx)
        ctx.reply(t(ctx, "details_saved_all", company=lead.company, saved=saved), lead=lead)
    else:
        ctx.reply(t(ctx, "details_saved", company=lead.company, saved=saved), lead=lead)
    return lead


def reassign_lead(ctx: HandlerContext, req: Request) -> Lead | None:
    """Give the lead to another member: tell both owners, move upcoming events and pending follow-ups."""
    lead = resolve_lead(ctx, req)
    if lead is None:
        return None
    if not req.command.assignee:
        ctx.reply(t(ctx, "reassign_need_user", company=lead.company), lead=lead)
        return lead
    new_owner = resolve_assignee(ctx, req.command.assignee)
    if new_owner is None:
        return lead
    old_owner = ctx.session.get(User, lead.owner_id)
    if old_owner is not None and old_owner.id == new_owner.id:
        ctx.reply(t(ctx, "reassign_same", company=lead.company, name=new_owner.name), lead=lead)
        return lead
    now = ctx.now()
    lead.owner_id = new_owner.id
    lead.updated_at = now
    events = list(
        ctx.session.scalars(
            select(Event).where(Event.lead_id == lead.id, Event.status == "scheduled", Event.starts_at >= now)
        )
    )
    for event in events:
        event.assignee_id = new_owner.id
        event.updated_at = now
    moved = ctx.nurture.move_pending(ctx.session, lead=lead, new_owner=new_owner, actor_id=ctx.sender.id, now=now)
    followups = _count(moved)
    old_name = old_owner.name if old_owner else "?"
    ctx.log(
        lead,
        "reassigned",
        f"Lead reassigned from {old_name} to {new_owner.name} by {ctx.sender.name}",
        {
            "from": lead_owner_id(old_owner),
            "to": new_owner.id,
            "events": [e.id for e in events],
            "followups": followups,
        },
    )
    moved_parts = [t(ctx, "moved_events", n=len(events))] if events else []
    moved_parts += [t(ctx, "moved_followups", n=followups)] if followups else []
    moved_text = t(ctx, "reassign_moved", what=", ".join(moved_parts)) if moved_parts else ""
    ctx.reply(t(ctx, "reassigned", company=lead.company, new=new_owner.name, old=old_name, moved=moved_text), lead=lead)
    ctx.notify(
        new_owner,
        t(
            "en", "reassign_notify_new", sender=ctx.sender.name, company=lead.company, details=lead_details_text(lead)
        ).strip(),
        lead=lead,
    )
    if old_owner is not None:
        ctx.notify(
            old_owner,
            t("en", "reassign_notify_old", sender=ctx.sender.name, company=lead.company, new=new_owner.name),
            lead=lead,
        )
    return lead


def lead_owner_id(user: User | None) -> int | None:
    """A user's id, or None."""
    return user.id if user is not None else None


def _count(result: object) -> int:
    """How many rows a nurture call touched, whatever shape it returns (int, list, None)."""
    if isinstance(result, bool) or result is None:
        return 0
    if isinstance(result, int):
        return result
    try:
        return len(result)  # type: ignore[arg-type]
    except TypeError:
        return 0


def _close(ctx: HandlerContext, req: Request, status: str) -> Lead | None:
    lead = resolve_lead(ctx, req)
    if lead is None:
        return None
    if lead.status == status:
        ctx.reply(t(ctx, "already_closed", company=lead.company, status=status_label(ctx.lang, status)), lead=lead)
        return lead
    now = ctx.now()
    previous = lead.status
    lead.status = status
    lead.updated_at = now
    note = req.command.note
    if status == LeadStatus.LOST:
        lead.lost_reason = note
    cancelled = _count(
        ctx.nurture.cancel_pending(ctx.session, lead=lead, actor_id=ctx.sender.id, now=now, reason=f"lead {status}")
    )
    open_events = select(Event).where(Event.lead_id == lead.id, Event.status == "scheduled")
    cancelled_events = list(ctx.session.scalars(open_events))
    for event in cancelled_events:
        event.status = "cancelled"
        event.updated_at = now
    text = f"Lead marked {status} by {ctx.sender.name}" + (f": {note}" if note else "")
    ctx.log(
        lead,
        status,
        text,
        {
            "from": previous,
            "reason": note,
            "followups_cancelled": cancelled,
            "events_cancelled": [e.id for e in cancelled_events],
        },
    )
    cancelled_text = t(ctx, "followups_cancelled", n=cancelled) if cancelled else ""
    if status == LeadStatus.WON:
        ctx.reply(t(ctx, "marked_won", company=lead.company, cancelled=cancelled_text), lead=lead)
    else:
        reason = t(ctx, "lost_reason", reason=note) if note else ""
        ctx.reply(t(ctx, "marked_lost", company=lead.company, reason=reason, cancelled=cancelled_text), lead=lead)
    owner = ctx.session.get(User, lead.owner_id)
    for assignee_id in dict.fromkeys(e.assignee_id for e in cancelled_events):
        attendee = ctx.session.get(User, assignee_id)
        if attendee is not None and attendee.id != lead.owner_id:  # their meeting is off: tell them too
            ctx.notify(attendee, t("en", "attendee_notify_closed", sender=ctx.sender.name, company=lead.company,
                                   status=status_label("en", status).lower()), lead=lead)  # fmt: skip
    if owner is not None:
        ctx.notify(
            owner,
            t(
                "en",
                "owner_notify_closed",
                sender=ctx.sender.name,
                company=lead.company,
                status=status_label("en", status).lower(),
            ),
            lead=lead,
        )
    return lead


def mark_won(ctx: HandlerContext, req: Request) -> Lead | None:
    """Mark the deal won; pending follow-ups and upcoming events are cancelled."""
    return _close(ctx, req, LeadStatus.WON)


def mark_lost(ctx: HandlerContext, req: Request) -> Lead | None:
    """Mark the deal lost with its reason; pending follow-ups and upcoming events are cancelled."""
    return _close(ctx, req, LeadStatus.LOST)
