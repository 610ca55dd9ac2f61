"""`lead_info`: everything useful about one lead in one reply — status, owner, contact, the next meeting or demo,
the pending follow-ups and reminders on it, the qualification details on file and those still missing, and the
last activity (cut at a word boundary, never mid-word).
"""

from __future__ import annotations

from sqlalchemy import func, select

from crm_core.commands import DETAIL_FIELDS, REQUIRED_DETAILS
from crm_core.db.models import Activity, Event, Lead, LeadStatus, Outbox, OutboxStatus, User
from crm_core.handlers.common import Request, fmt_when, resolve_lead
from crm_core.handlers.context import HandlerContext
from crm_core.handlers.texts import detail_label, kind_label, status_label, t
from crm_core.phones import pretty

MAX_PENDING_SHOWN = 3
LAST_ACTIVITY_CHARS = 100
DETAIL_CHARS = 60


def shorten(text: str, limit: int = LAST_ACTIVITY_CHARS) -> str:
    """`text` on one line, cut at the last word boundary within `limit` characters with '…' (a first word longer
    than the limit is kept whole: never a cut inside a word)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    cut = head.rfind(" ")
    if cut <= 0:
        word = text.split(" ", 1)[0]
        return word if word == text else word + "…"
    return head[:cut].rstrip(" ,;:.-—") + "…"


def _contact(lead: Lead) -> str:
    return ", ".join(p for p in (lead.contact_name, pretty(lead.phone) if lead.phone else None, lead.email) if p)


def _next_event(ctx: HandlerContext, lead: Lead) -> str:
    upcoming = ctx.session.scalars(
        select(Event)
        .where(Event.lead_id == lead.id, Event.status == "scheduled", Event.starts_at >= ctx.now())
        .order_by(Event.starts_at, Event.id)
    ).first()
    if upcoming is None:
        return t(ctx, "info_none")
    text = f"{kind_label(ctx.lang, upcoming.kind)} {fmt_when(ctx, upcoming.starts_at, with_time=upcoming.has_time)}"
    if upcoming.assignee_id != lead.owner_id:
        who = ctx.session.get(User, upcoming.assignee_id)
        text += f" ({who.name})" if who else ""
    return text


def _pending(ctx: HandlerContext, lead: Lead) -> list[str]:
    """One line per pending follow-up or reminder on the lead (the first few, then how many more)."""
    where = (Outbox.lead_id == lead.id, Outbox.kind == "reminder", Outbox.status == OutboxStatus.PENDING)
    total = ctx.session.scalar(select(func.count()).select_from(Outbox).where(*where)) or 0
    if not total:
        return []
    rows = ctx.session.execute(
        select(Outbox, User.name)
        .outerjoin(User, User.id == Outbox.recipient_user_id)
        .where(*where)
        .order_by(Outbox.due_at, Outbox.id)
        .limit(MAX_PENDING_SHOWN)
    ).all()
    lines = [t(ctx, "info_pending", n=total)]
    for row, name in rows:
        data = row.data if isinstance(row.data, dict) else {}
        if data.get("step") and data.get("of"):
            what = t(ctx, "info_followup", step=data["step"], of=data["of"])
        else:
            what = shorten(str(data.get("note") or t(ctx, "info_reminder")), 60)
        who = f" ({name})" if name else ""
        lines.append(f"• {fmt_when(ctx, row.due_at)} — {what}{who}")
    if total > MAX_PENDING_SHOWN:
        lines.append(t(ctx, "leads_more", n=total - MAX_PENDING_SHOWN))
    return lines


def _details(ctx: HandlerContext, lead: Lead) -> list[str]:
    given = [(name, getattr(lead, name)) for name in DETAIL_FIELDS if getattr(lead, name)]
    lines = []
    if given:
        lines.append(t(ctx, "info_details"))
        lines += [f"• {detail_label(ctx.lang, n).capitalize()}: {shorten(v, DETAIL_CHARS)}" for n, v in given]
    missing = [detail_label(ctx.lang, n) for n in REQUIRED_DETAILS if not getattr(lead, n)]
    if missing and lead.status not in LeadStatus.CLOSED:
        lines.append(t(ctx, "info_missing", names=", ".join(missing)))
    if lead.status == LeadStatus.LOST and lead.lost_reason:
        lines.append(t(ctx, "info_lost_reason", reason=shorten(lead.lost_reason, DETAIL_CHARS)))
    return lines


def lead_info(ctx: HandlerContext, req: Request) -> Lead | None:
    """A lead's status, owner, contact, next event, pending follow-ups, details on file and missing, last activity."""
    lead = resolve_lead(ctx, req)
    if lead is None:
        return None
    owner = ctx.session.get(User, lead.owner_id)
    last = ctx.session.scalars(
        select(Activity).where(Activity.lead_id == lead.id).order_by(Activity.created_at.desc(), Activity.id.desc())
    ).first()
    last_text = f"{fmt_when(ctx, last.created_at, with_time=False)} — {shorten(last.text)}" if last else "—"
    contact = _contact(lead)
    head = t(
        ctx,
        "info_head",
        company=lead.company,
        status=status_label(ctx.lang, lead.status),
        owner=owner.name if owner else "?",
        contact=t(ctx, "info_contact", contact=contact) if contact else "",
        next=_next_event(ctx, lead),
    )
    lines = [head, *_pending(ctx, lead), *_details(ctx, lead), t(ctx, "info_last", last=last_text)]
    ctx.reply("\n".join(lines), lead=lead)
    return lead
