"""The post-demo nurture sequence: one WhatsApp reminder per active step, to the lead's assignee, as outbox rows.

The steps are the assignee's team's post-demo sequence when that team has one (any steps, active or not: a team
that disabled them all has switched its follow-ups off), else the organisation's. No steps means no follow-ups:
nothing is created on the fly (crm_core.nurture.templates).

Each reminder is rendered when it is scheduled as TWO outbox rows due at the same moment, the header first (lower
id, so the sweep sends it first): the header (kind `reminder`, the follow-up task: digests, "my tasks" and the API
count these) names the lead and its contact; the text to forward (kind `forward`) holds exactly the step's text with
its placeholders filled, and the step's attachment — nothing else, so the salesperson forwards it untouched.
Rows are found again by their dedupe keys `nurture:{lead}:{demo event}:{step}` (header) and `…:forward`, which
makes scheduling idempotent (a demo marked done twice schedules once).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from crm_core.access import team_of
from crm_core.db.models import Activity, Lead, LeadStatus, MessageTemplate, Outbox, OutboxStatus, User
from crm_core.nurture.templates import DEFAULT_SEQUENCE, list_steps, of_team, render
from crm_core.outbox import Attachment, record
from crm_core.phones import pretty
from crm_core.settings import Settings

KIND = "reminder"
FORWARD_KIND = "forward"
_BRACKETS = re.compile(r"\[[^\[\]\n]{1,60}\]")


def dedupe_key(lead_id: int, demo_event_id: int | None, template_id: int) -> str:
    """The key that makes one demo's reminder for one step unique."""
    return f"nurture:{lead_id}:{demo_event_id or 0}:{template_id}"


def header(lead: Lead, step: int, of: int, text: str = "", attachment: bool = False) -> str:
    """'Follow-up 2/3 for *Sharma Traders* — Rakesh Sharma, +91 98765 43210. Forward the next message to them.'

    A text still holding [bracketed] placeholders (the default steps' [your company]) is flagged: copy it and fill
    them in, rather than forward it as it is.
    """
    who = [p for p in ((lead.contact_name or "").strip(), pretty(lead.phone) if lead.phone else "") if p]
    contact = f" — {', '.join(who)}" if who else ""
    what = "the next message with its attachment" if attachment else "the next message"
    line = f"Follow-up {step}/{of} for *{lead.company}*{contact}. Forward {what} to them."
    gaps = list(dict.fromkeys(_BRACKETS.findall(text)))
    if gaps:
        line += f"\n⚠️ Fill in {', '.join(gaps[:3])} first (copy, edit, send) — or ask your admin to set the template."
    return line


def due_time(done_at: datetime, template: MessageTemplate, settings: Settings) -> datetime:
    """When a step is due (UTC): the local day the demo was done + the offset, at the step's time.

    A time already past is due at once; a time inside quiet hours moves to the end of the window.
    """
    from crm_core.delivery.quiet_hours import quiet_until

    tz = settings.tz
    day: date = done_at.astimezone(tz).date() + timedelta(days=template.day_offset)
    due = max(datetime.combine(day, template.send_time, tzinfo=tz).astimezone(UTC), done_at.astimezone(UTC))
    return quiet_until(due, settings) or due


def _log(
    session: Session, lead: Lead, actor_id: int | None, kind: str, text: str, data: dict[str, Any], now: datetime
) -> None:
    session.add(Activity(lead_id=lead.id, actor_id=actor_id, kind=kind, text=text, data=data, created_at=now))


def _when(at: datetime, settings: Settings) -> str:
    local = at.astimezone(settings.tz)
    return f"{local.day} {local.strftime('%b')} {local.strftime('%I:%M %p').lstrip('0')}"


def steps_for(session: Session, assignee: User) -> tuple[int | None, list[MessageTemplate]]:
    """The sequence a demo done schedules for the assignee: (its team, or None for the organisation's; its active
    steps in send order). One query for both candidate sequences."""
    team = team_of(assignee)
    scope = or_(of_team(None), of_team(team)) if team is not None else of_team(None)
    rows = list_steps(session, DEFAULT_SEQUENCE, where=scope)
    chosen = team if any(r.team_leader_id == team for r in rows) else None
    return chosen, [r for r in rows if r.team_leader_id == chosen and r.active]


def _pending(session: Session, lead_id: int) -> list[Outbox]:
    """The lead's pending follow-up headers and the texts to forward that go with them."""
    return list(
        session.scalars(
            select(Outbox)
            .where(
                Outbox.lead_id == lead_id,
                Outbox.kind.in_((KIND, FORWARD_KIND)),
                Outbox.status == OutboxStatus.PENDING,
            )
            .order_by(Outbox.due_at, Outbox.id)
        )
    )


def start_sequence(
    session: Session,
    *,
    lead: Lead,
    assignee: User,
    actor_id: int | None,
    demo_event_id: int | None,
    now: datetime,
    settings: Settings,
) -> int:
    """Schedule one reminder per active post-demo step (steps_for) for the assignee; returns how many were scheduled.

    Idempotent per demo: steps already scheduled for this demo are skipped. Pending reminders left from an
    earlier demo of the same lead are cancelled first (the newer demo restarts the follow-ups).
    """
    if lead.status in LeadStatus.CLOSED:
        return 0
    team, steps = steps_for(session, assignee)
    if not steps:
        return 0
    keys = {t.id: dedupe_key(lead.id, demo_event_id, t.id) for t in steps}
    taken = set(session.scalars(select(Outbox.dedupe_key).where(Outbox.dedupe_key.in_(list(keys.values())))))
    todo = [t for t in steps if keys[t.id] not in taken]
    if not todo:
        return 0
    prefix = f"nurture:{lead.id}:{demo_event_id or 0}:"
    older = [
        r
        for r in _pending(session, lead.id)
        if r.dedupe_key and r.dedupe_key.startswith("nurture:") and not r.dedupe_key.startswith(prefix)
    ]
    if older:
        _cancel(session, lead, older, actor_id, now, "a newer demo restarted the follow-ups")
    rows: list[Outbox] = []
    for number, template in enumerate(steps, start=1):
        if template not in todo:
            continue
        text = render(template.text, contact_name=lead.contact_name, company=lead.company, assignee=assignee.name)
        attachment = (
            Attachment(template.attachment_url, template.attachment_filename, template.attachment_mime)
            if template.attachment_url
            else None
        )
        due = due_time(now, template, settings)
        data = {
            "sequence": DEFAULT_SEQUENCE,
            "team_leader_id": team,
            "step": number,
            "of": len(steps),
            "day": template.day_offset,
            "template_text": template.text,
            "text": text,
            "demo_event_id": demo_event_id,
        }
        common: dict[str, Any] = {
            "to": assignee,
            "channel": "whatsapp",
            "due_at": due,
            "urgent": False,
            "lead_id": lead.id,
            "event_id": demo_event_id,
            "template_id": template.id,
        }
        head = header(lead, number, len(steps), text, attachment is not None)
        rows.append(record(session, body=head, kind=KIND, dedupe_key=keys[template.id], data=data, **common))
        session.flush()  # the header gets the lower id: sent first at the same moment
        record(
            session,
            body=text,
            kind=FORWARD_KIND,
            attachment=attachment,
            dedupe_key=f"{keys[template.id]}:forward",
            data={**data, "part": "forward"},
            **common,
        )
    session.flush()
    dates = ", ".join(_when(r.due_at, settings) for r in rows)
    _log(
        session,
        lead,
        actor_id,
        "reminder_scheduled",
        f"{len(rows)} follow-up reminder(s) scheduled for {assignee.name}: {dates}",
        {
            "outbox_ids": [r.id for r in rows],
            "due_at": [r.due_at.isoformat() for r in rows],
            "assignee_id": assignee.id,
            "demo_event_id": demo_event_id,
        },
        now,
    )
    return len(rows)


def _cancel(session: Session, lead: Lead, rows: list[Outbox], actor_id: int | None, now: datetime, reason: str) -> int:
    for row in rows:
        row.status = OutboxStatus.CANCELLED
        row.claim_token = None
        row.claimed_until = None
        row.data = {**(row.data or {}), "cancelled_at": now.isoformat(), "cancel_reason": reason}
    session.flush()
    count = sum(1 for r in rows if r.kind == KIND) or len(rows)
    _log(
        session,
        lead,
        actor_id,
        "reminder_cancelled",
        f"{count} pending follow-up reminder(s) cancelled: {reason}",
        {"outbox_ids": [r.id for r in rows], "reason": reason},
        now,
    )
    return count


def cancel_pending(session: Session, *, lead: Lead, actor_id: int | None, now: datetime, reason: str) -> int:
    """Cancel the lead's pending reminders (won, lost); returns how many were cancelled."""
    rows = _pending(session, lead.id)
    return _cancel(session, lead, rows, actor_id, now, reason) if rows else 0


def move_pending(session: Session, *, lead: Lead, new_owner: User, actor_id: int | None, now: datetime) -> int:
    """Re-address the lead's pending reminders to a new owner (text re-rendered with their name); returns the count."""
    rows = [r for r in _pending(session, lead.id) if r.recipient_user_id != new_owner.id]
    if not rows:
        return 0
    old_ids = sorted({r.recipient_user_id for r in rows if r.recipient_user_id is not None})
    for row in rows:
        data = dict(row.data or {})
        raw = data.get("template_text")
        if isinstance(raw, str):
            text = render(raw, contact_name=lead.contact_name, company=lead.company, assignee=new_owner.name)
            data["text"] = text
            if row.kind == FORWARD_KIND:
                row.body = text
            else:
                step, of = int(data.get("step") or 1), int(data.get("of") or 1)
                with_file = any(
                    r.kind == FORWARD_KIND and r.attachment_url and r.template_id == row.template_id for r in rows
                )
                row.body = header(lead, step, of, text, with_file)
        data["moved_from_user_id"] = row.recipient_user_id
        row.recipient = new_owner.phone if row.channel == "whatsapp" else str(new_owner.id)
        row.recipient_user_id = new_owner.id
        row.data = data
    session.flush()
    count = sum(1 for r in rows if r.kind == KIND) or len(rows)
    _log(
        session,
        lead,
        actor_id,
        "reminder_moved",
        f"{count} pending follow-up reminder(s) moved to {new_owner.name}",
        {"outbox_ids": [r.id for r in rows], "from_user_ids": old_ids, "to_user_id": new_owner.id},
        now,
    )
    return count
