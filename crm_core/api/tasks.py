"""A user's tasks: scheduled meetings and demos, and pending follow-up reminders, with the company name."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from crm_core.accounts import find_by_username
from crm_core.api.deps import Actor, Ctr, Db
from crm_core.api.errors import ApiError, errors
from crm_core.api.policy import visible_user
from crm_core.api.routing import ApiRoute
from crm_core.api.schemas import TaskList, TaskOut, TasksQuery, Username
from crm_core.api.users import user_ref
from crm_core.db.models import Event, Lead, Outbox, OutboxStatus

DEFAULT_DAYS = 7
MAX_DAYS = 92
MAX_ITEMS = 500
router = APIRouter(route_class=ApiRoute, tags=["leads"])


def date_range(query: TasksQuery, today: date) -> tuple[date, date]:
    """The inclusive range asked for (default today .. today + 7 days); 422 when reversed or too long."""
    start = query.date_from or today
    end = query.date_to or (start + timedelta(days=DEFAULT_DAYS))
    if end < start:
        raise ApiError(422, "validation_error", "'to' must not be before 'from'")
    if (end - start).days > MAX_DAYS:
        raise ApiError(422, "validation_error", f"ask for at most {MAX_DAYS} days at a time")
    return start, end


@router.get(
    "/tasks/{username}",
    summary="A user's meetings, demos and follow-ups in a date range",
    responses=errors(403, 404),
)
def list_tasks(
    username: Username, query: Annotated[TasksQuery, Query()], actor: Actor, db: Db, container: Ctr
) -> TaskList:
    """Upcoming meetings, demos and follow-ups of a user in a date range (team time zone), in time order."""
    session = db
    target = visible_user(actor, find_by_username(session, username))
    tz = container.settings.tz
    start, end = date_range(query, container.clock.now().astimezone(tz).date())
    lo = datetime.combine(start, time(0), tz).astimezone(UTC)
    hi = datetime.combine(end + timedelta(days=1), time(0), tz).astimezone(UTC)
    assignee = user_ref(target)
    items: list[TaskOut] = []
    events = session.execute(
        select(Event, Lead.company)
        .join(Lead, Lead.id == Event.lead_id)
        .where(Event.assignee_id == target.id, Event.status == "scheduled", Event.starts_at >= lo, Event.starts_at < hi)
        .order_by(Event.starts_at, Event.id)
        .limit(MAX_ITEMS)
    ).all()
    for event, company in events:
        items.append(
            TaskOut(
                type="demo" if event.kind == "demo" else "meeting",
                at=event.starts_at,
                has_time=bool(event.has_time),
                lead_id=event.lead_id,
                company=company,
                status=event.status,
                event_id=event.id,
                reminder_id=None,
                text=event.outcome,
                assignee=assignee,
            )
        )
    reminders = session.execute(
        select(Outbox, Lead.company)
        .outerjoin(Lead, Lead.id == Outbox.lead_id)
        .where(
            Outbox.recipient_user_id == target.id,
            Outbox.kind == "reminder",
            Outbox.status == OutboxStatus.PENDING,
            Outbox.due_at >= lo,
            Outbox.due_at < hi,
        )
        .order_by(Outbox.due_at, Outbox.id)
        .limit(MAX_ITEMS)
    ).all()
    for row, company in reminders:
        items.append(
            TaskOut(
                type="follow_up",
                at=row.due_at,
                has_time=True,
                lead_id=row.lead_id,
                company=company,
                status=row.status,
                event_id=row.event_id,
                reminder_id=row.id,
                text=row.body,
                assignee=assignee,
            )
        )
    items.sort(key=lambda t: (t.at, t.type, t.event_id or 0, t.reminder_id or 0))
    return TaskList(user=assignee, date_from=start, date_to=end, items=items)
