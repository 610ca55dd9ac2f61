"""Six-field NCRONTAB schedules (croniter) and next occurrences, as the Functions host reads them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crm_core.localhost.schedule import ScheduleError, parse_schedule


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("expr", "after", "expected"),
    [
        ("0 */1 * * * *", at(2026, 11, 24, 10, 0, 30), at(2026, 11, 24, 10, 1, 0)),
        ("0 */1 * * * *", at(2026, 11, 24, 10, 1, 0), at(2026, 11, 24, 10, 2, 0)),
        ("*/15 * * * * *", at(2026, 11, 24, 10, 0, 14), at(2026, 11, 24, 10, 0, 15)),
        ("30 5 * * * *", at(2026, 11, 24, 10, 6, 0), at(2026, 11, 24, 11, 5, 30)),
        ("0 30 9 * * 1-5", at(2026, 11, 27, 10, 0, 0), at(2026, 11, 30, 9, 30, 0)),  # Fri → Mon
        ("0 0 3 * * Sun", at(2026, 11, 24, 0, 0, 0), at(2026, 11, 29, 3, 0, 0)),
        ("0 0 3 * * 7", at(2026, 11, 24, 0, 0, 0), at(2026, 11, 29, 3, 0, 0)),  # 7 is Sunday too
        ("0 0 0 1 Jan *", at(2026, 11, 24, 0, 0, 0), at(2027, 1, 1, 0, 0, 0)),
        ("0 0 12 29 2 *", at(2026, 3, 1, 0, 0, 0), at(2028, 2, 29, 12, 0, 0)),  # next leap day
        ("0 0,30 8-10/2 * * *", at(2026, 11, 24, 8, 30, 0), at(2026, 11, 24, 10, 0, 0)),
        ("5/20 * * * * *", at(2026, 11, 24, 10, 0, 46), at(2026, 11, 24, 10, 1, 5)),
        ("0 0 0 31 12 *", at(2026, 12, 31, 0, 0, 0), at(2027, 12, 31, 0, 0, 0)),
    ],
)
def test_next_occurrence(expr: str, after: datetime, expected: datetime) -> None:
    assert parse_schedule(expr).next_after(after) == expected


def test_next_after_ignores_microseconds_and_is_strictly_later() -> None:
    s = parse_schedule("* * * * * *")
    assert s.next_after(at(2026, 1, 1, 0, 0, 0).replace(microsecond=999_999)) == at(2026, 1, 1, 0, 0, 1)


def test_matches() -> None:
    s = parse_schedule("0 */5 9-17 * * Mon-Fri")
    assert s.matches(at(2026, 11, 24, 9, 5, 0))
    assert not s.matches(at(2026, 11, 24, 9, 6, 0))
    assert not s.matches(at(2026, 11, 29, 9, 5, 0))  # Sunday


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("0 */5 * * *", "six"),
        ("60 * * * * *", "out of range"),
        ("* * 24 * * *", "out of range"),
        ("* * * 0 * *", "out of range"),
        ("* * * * 13 *", "out of range"),
        ("*/0 * * * * *", "step '0'"),
        ("a * * * * *", "not acceptable"),
        ("1,,2 * * * * *", "not acceptable"),
    ],
)
def test_invalid_schedules_say_what_is_wrong(expr: str, message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        parse_schedule(expr)


def test_a_schedule_that_never_fires_is_reported() -> None:
    with pytest.raises(ScheduleError, match="never fires"):
        parse_schedule("0 0 0 30 2 *").next_after(at(2026, 1, 1))
