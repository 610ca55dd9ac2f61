"""The daily digest: at DIGEST_TIME (team zone) each active user with something due today gets one WhatsApp
message listing today's meetings, demos and follow-ups. Nothing goes to a user with nothing due.

Planned by the timer's sweep before it delivers, with a constant number of queries whatever the team size: one
outbox row per user per day (dedupe key `digest:{user}:{date}`), all written in one transaction. The first sweep
at or after DIGEST_TIME plans the day (so a timer that was down at 09:00 still sends it later); later sweeps that
day find those rows and do nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_core.db.models import Event, Lead, Outbox, OutboxStatus, User
from crm_core.outbox import record
from crm_core.settings import Settings, parse_hhmm

KIND = "digest"
_KEY_CHUNK = 500


@dataclass
class Agenda:
    """One user's day: (local time or None, line) per meeting, demo and follow-up."""

    meetings: list[tuple[datetime, str]] = field(default_factory=list)
    demos: list[tuple[datetime, str]] = field(default_factory=list)
    follow_ups: list[tuple[datetime, str]] = field(default_factory=list)

    def empty(self) -> bool:
        """Whether nothing is due."""
        return not (self.meetings or self.demos or self.follow_ups)


def digest_key(user_id: int, day: date) -> str:
    """The key that makes one digest per user per day."""
    return f"digest:{user_id}:{day.isoformat()}"


def _clock(at: datetime, tz: object) -> str:
    return at.astimezone(tz).strftime("%I:%M %p").lstrip("0")  # type: ignore[arg-type]


def _agendas(session: Session, lo: datetime, hi: datetime, settings: Settings) -> dict[int, Agenda]:
    tz = settings.tz
    agendas: dict[int, Agenda] = defaultdict(Agenda)
    events = session.execute(
        select(Event.assignee_id, Event.kind, Event.starts_at, Event.has_time, Lead.company, Lead.contact_name)
        .join(Lead, Lead.id == Event.lead_id)
        .where(Event.status == "scheduled", Event.starts_at >= lo, Event.starts_at < hi)
        .order_by(Event.starts_at, Event.id)
    ).all()
    for assignee_id, kind, starts_at, has_time, company, contact in events:
        when = _clock(starts_at, tz) if has_time else "time not fixed"
        who = f" ({contact})" if contact else ""
        line = f"• {when} — {company}{who}"
        target = agendas[assignee_id].demos if kind == "demo" else agendas[assignee_id].meetings
        target.append((starts_at, line))
    reminders = session.execute(
        select(Outbox.recipient_user_id, Outbox.due_at, Outbox.data, Lead.company)
        .outerjoin(Lead, Lead.id == Outbox.lead_id)
        .where(
            Outbox.kind == "reminder",
            Outbox.status.in_((OutboxStatus.PENDING, OutboxStatus.SENDING)),
            Outbox.recipient_user_id.is_not(None),
            Outbox.due_at >= lo,
            Outbox.due_at < hi,
        )
        .order_by(Outbox.due_at, Outbox.id)
    ).all()
    for user_id, due_at, data, company in reminders:
        info = data if isinstance(data, dict) else {}
        step = f" (follow-up {info['step']}/{info['of']})" if info.get("step") and info.get("of") else ""
        agendas[user_id].follow_ups.append((due_at, f"• {_clock(due_at, tz)} — {company or 'a lead'}{step}"))
    return agendas


def compose(user: User, day: date, agenda: Agenda, hour: int = 9) -> str:
    """The digest text for one user (`hour`: the local hour it is written, for the greeting)."""
    greeting = "Good morning" if hour < 12 else "Good afternoon" if hour < 17 else "Good evening"
    lines = [f"{greeting}, {user.name}! Your plan for today, {day.strftime('%a')} {day.day} {day.strftime('%b')}:"]
    for title, items in (
        ("Meetings", agenda.meetings),
        ("Demos", agenda.demos),
        ("Follow-ups to forward", agenda.follow_ups),
    ):
        if items:
            lines += ["", f"*{title} ({len(items)})*", *(line for _, line in items)]
    if agenda.follow_ups:
        lines += ["", "Each follow-up arrives here at its time with the text to forward."]
    return "\n".join(lines)


def _existing(session: Session, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), _KEY_CHUNK):
        chunk = keys[start : start + _KEY_CHUNK]
        found.update(k for k in session.scalars(select(Outbox.dedupe_key).where(Outbox.dedupe_key.in_(chunk))) if k)
    return found


@dataclass
class PlannedDigest:
    """One digest that is due: its user, text, dedupe key and summary."""

    user: User
    body: str
    key: str
    data: dict[str, object]


def due_digests(session: Session, now: datetime, settings: Settings) -> list[PlannedDigest]:
    """The digests the first sweep at `now` would write (nothing is written: `sweep --dry-run` shows these)."""
    if not settings.digest_enabled:
        return []
    tz = settings.tz
    local = now.astimezone(tz)
    if local.time().replace(tzinfo=None) < parse_hhmm(settings.digest_time):
        return []
    today = local.date()
    lo = datetime.combine(today, time(0), tzinfo=tz).astimezone(UTC)
    hi = datetime.combine(today + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    active = list(session.scalars(select(User.id).where(User.active.is_(True))))
    keys = {uid: digest_key(uid, today) for uid in active}
    if _existing(session, list(keys.values())):
        # Today's planning already ran (it writes every digest in one transaction): work booked since then was
        # confirmed when it was booked, and a second "good morning" would be noise.
        return []
    agendas = _agendas(session, lo, hi, settings)
    todo = [uid for uid in active if uid in agendas and not agendas[uid].empty()]
    if not todo:
        return []
    users = session.scalars(select(User).where(User.id.in_(todo)).order_by(User.id)).all()
    return [
        PlannedDigest(
            user,
            compose(user, today, agendas[user.id], local.hour),
            keys[user.id],
            {
                "date": today.isoformat(),
                "meetings": len(agendas[user.id].meetings),
                "demos": len(agendas[user.id].demos),
                "follow_ups": len(agendas[user.id].follow_ups),
            },
        )
        for user in users
    ]


def plan_digests(session: Session, now: datetime, settings: Settings) -> int:
    """Write today's digest rows once the team's local time reaches DIGEST_TIME; returns how many were added."""
    added = 0
    for planned in due_digests(session, now, settings):
        try:
            with session.begin_nested():  # another sweep may plan the same digest at the same moment
                record(
                    session,
                    to=planned.user,
                    body=planned.body,
                    kind=KIND,
                    channel="whatsapp",
                    due_at=now,
                    urgent=False,
                    dedupe_key=planned.key,
                    data=dict(planned.data),
                )
                session.flush()
        except IntegrityError:
            continue
        added += 1
    return added
