"""Quiet hours in the team's zone: when non-urgent messages (reminders, digests) wait for the morning."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crm_core.settings import Settings, parse_hhmm


def quiet_until(now: datetime, settings: Settings) -> datetime | None:
    """The end of the quiet window (UTC) when `now` falls inside it, else None; start == end means none."""
    start, end = parse_hhmm(settings.quiet_hours_start), parse_hhmm(settings.quiet_hours_end)
    if start == end:
        return None
    tz = settings.tz
    local = now.astimezone(tz)
    t = local.time().replace(tzinfo=None)
    if start < end:
        inside = start <= t < end
        end_day = local.date()
    else:  # crosses midnight, e.g. 21:00–09:00
        inside = t >= start or t < end
        end_day = local.date() if t < end else local.date() + timedelta(days=1)
    if not inside:
        return None
    return datetime.combine(end_day, end, tzinfo=tz).astimezone(UTC)
