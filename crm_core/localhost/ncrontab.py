"""Six-field NCRONTAB schedules (seconds first), as the Functions timer trigger reads them.

`{second} {minute} {hour} {day} {month} {day-of-week}`; each field takes `*`, `n`, `a-b`, `*/n`, `a-b/n`, `n/s`
and comma lists; months and days of the week also by English three-letter names (Sun = 0, 7 is Sunday too).
As in NCrontab (the library the Functions host uses), day and day-of-week must both match.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

_MONTHS = {
    m: i
    for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)
}
_DAYS = {d: i for i, d in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}
_FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (  # name, low, high, names
    ("second", 0, 59, {}),
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day", 1, 31, {}),
    ("month", 1, 12, _MONTHS),
    ("day-of-week", 0, 7, _DAYS),
)


class ScheduleError(ValueError):
    """A schedule that is not a valid six-field NCRONTAB expression."""


def _value(text: str, low: int, high: int, names: dict[str, int], field: str) -> int:
    key = text.lower()
    if key in names:
        return names[key]
    if not text.isdigit():
        raise ScheduleError(f"{field} field: {text!r} is not a number")
    n = int(text)
    if not low <= n <= high:
        raise ScheduleError(f"{field} field: {n} is outside {low}-{high}")
    return n


def _field(text: str, low: int, high: int, names: dict[str, int], field: str) -> frozenset[int]:
    values: set[int] = set()
    for part in text.split(","):
        if not part:
            raise ScheduleError(f"{field} field: empty list item in {text!r}")
        base, _, step_text = part.partition("/")
        step = 1
        if step_text:
            if not step_text.isdigit() or int(step_text) == 0:
                raise ScheduleError(f"{field} field: step {step_text!r} must be a positive number")
            step = int(step_text)
        if base == "*":
            start, end = low, high
        elif "-" in base:
            a, _, b = base.partition("-")
            start, end = _value(a, low, high, names, field), _value(b, low, high, names, field)
            if start > end:
                raise ScheduleError(f"{field} field: range {base!r} runs backwards")
        else:
            start = _value(base, low, high, names, field)
            end = high if step_text else start
        values.update(range(start, end + 1, step))
    return frozenset(values)


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule; `next_after(moment)` gives the next firing strictly after it."""

    expression: str
    seconds: frozenset[int]
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday

    def _day_matches(self, moment: datetime) -> bool:
        return moment.day in self.days and (moment.isoweekday() % 7) in self.weekdays

    def matches(self, moment: datetime) -> bool:
        """Whether the schedule fires at this moment (to the second)."""
        return (
            moment.second in self.seconds
            and moment.minute in self.minutes
            and moment.hour in self.hours
            and moment.month in self.months
            and self._day_matches(moment)
        )

    def next_after(self, moment: datetime) -> datetime:
        """The first firing strictly after moment (same time zone as moment)."""
        t = moment.replace(microsecond=0) + timedelta(seconds=1)
        limit = t + timedelta(days=366 * 5)
        while t <= limit:
            if t.month not in self.months:
                t = (t.replace(day=1, hour=0, minute=0, second=0) + timedelta(days=32)).replace(day=1)
                continue
            if not self._day_matches(t):
                t = t.replace(hour=0, minute=0, second=0) + timedelta(days=1)
                continue
            if t.hour not in self.hours:
                t = t.replace(minute=0, second=0) + timedelta(hours=1)
                continue
            if t.minute not in self.minutes:
                t = t.replace(second=0) + timedelta(minutes=1)
                continue
            if t.second not in self.seconds:
                t += timedelta(seconds=1)
                continue
            return t
        raise ScheduleError(f"schedule {self.expression!r} never fires")


def parse_schedule(expression: str) -> Schedule:
    """Parse a six-field NCRONTAB expression, or raise ScheduleError saying what is wrong."""
    parts = expression.split()
    if len(parts) != 6:
        raise ScheduleError(
            f"{expression!r} has {len(parts)} fields; NCRONTAB needs six: second minute hour day month day-of-week"
        )
    sets = [_field(text, low, high, names, name) for text, (name, low, high, names) in zip(parts, _FIELDS, strict=True)]
    weekdays = frozenset(d % 7 for d in sets[5])
    return Schedule(
        expression=expression,
        seconds=sets[0],
        minutes=sets[1],
        hours=sets[2],
        days=sets[3],
        months=sets[4],
        weekdays=weekdays,
    )
