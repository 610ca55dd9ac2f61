"""Six-field NCRONTAB schedules (seconds first), as the Functions timer trigger reads them, read by croniter.

`{second} {minute} {hour} {day} {month} {day-of-week}`: croniter with `second_at_beginning=True`; day and
day-of-week must both match (`day_or=False`), as in NCrontab, the library the Functions host uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from croniter import CroniterBadDateError, CroniterError, croniter

OPTIONS = {"second_at_beginning": True, "day_or": False}


class ScheduleError(ValueError):
    """A schedule that is not a valid six-field NCRONTAB expression, or one that never fires."""


@dataclass(frozen=True)
class Schedule:
    """A checked schedule; `next_after(moment)` gives the next firing strictly after it."""

    expression: str

    def next_after(self, moment: datetime) -> datetime:
        """The first firing strictly after moment (same time zone as moment)."""
        try:
            found: datetime = croniter(self.expression, moment.replace(microsecond=0), **OPTIONS).get_next(datetime)
        except CroniterBadDateError:
            raise ScheduleError(f"schedule {self.expression!r} never fires") from None
        return found

    def matches(self, moment: datetime) -> bool:
        """Whether the schedule fires at this moment (to the second)."""
        return bool(croniter.match(self.expression, moment.replace(microsecond=0), **OPTIONS))


def parse_schedule(expression: str) -> Schedule:
    """Check a six-field NCRONTAB expression, or raise ScheduleError saying what is wrong."""
    parts = expression.split()
    if len(parts) != 6:
        raise ScheduleError(
            f"{expression!r} has {len(parts)} fields; NCRONTAB needs six: second minute hour day month day-of-week"
        )
    try:
        croniter(expression, **OPTIONS)
    except CroniterError as exc:  # croniter names the fields in its own order: keep only what is wrong
        raise ScheduleError(f"{expression!r}: {str(exc).split('] ', 1)[-1]}") from None
    return Schedule(expression)
