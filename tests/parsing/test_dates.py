"""Dates and times per the contract's rules, counted from Tue 24 Nov 2026 10:00 IST."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

import pytest

from crm_core.parsing.dates import find_when, resolve_hour

IST = ZoneInfo("Asia/Kolkata")
TODAY = date(2026, 11, 24)  # a Tuesday
NOW_TIME = time(10, 0)


def when(text: str) -> str | None:
    return find_when(text, TODAY).iso(IST, TODAY, NOW_TIME)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", "2026-11-24"),
        ("aaj", "2026-11-24"),
        ("आज", "2026-11-24"),
        ("tomorrow", "2026-11-25"),
        ("tmrw", "2026-11-25"),
        ("kal", "2026-11-25"),
        ("कल", "2026-11-25"),
        ("day after tomorrow", "2026-11-26"),
        ("parso", "2026-11-26"),
        ("परसों", "2026-11-26"),
        ("Monday", "2026-11-30"),
        ("next Monday", "2026-11-30"),
        ("Tuesday", "2026-12-01"),
        ("wednesday", "2026-11-25"),
        ("on Fri", "2026-11-27"),
        ("shukravar", "2026-11-27"),
        ("शनिवार", "2026-11-28"),
        ("Sunday", "2026-11-29"),
        ("28/11", "2026-11-28"),
        ("5/12", "2026-12-05"),
        ("24/11", "2026-11-24"),
        ("20/11", "2027-11-20"),
        ("1/1", "2027-01-01"),
        ("28-11-2026", "2026-11-28"),
        ("3/1/27", "2027-01-03"),
        ("1st Dec", "2026-12-01"),
        ("2nd December", "2026-12-02"),
        ("Dec 3rd", "2026-12-03"),
        ("26 Nov", "2026-11-26"),
        ("15 Jan", "2027-01-15"),
        ("10 नवंबर", "2027-11-10"),
        ("5 दिसंबर", "2026-12-05"),
        ("in 3 days", "2026-11-27"),
        ("2 din baad", "2026-11-26"),
        ("nothing here", None),
        ("31/02", None),
    ],
)
def test_days(text: str, expected: str | None) -> None:
    assert when(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kal 4 baje", "2026-11-25T16:00:00+05:30"),
        ("aaj 6 baje", "2026-11-24T18:00:00+05:30"),
        ("kal 8 baje", "2026-11-25T08:00:00+05:30"),
        ("kal 12 baje", "2026-11-25T12:00:00+05:30"),
        ("kal 7 बजे", "2026-11-25T19:00:00+05:30"),
        ("kal shaam 5", "2026-11-25T17:00:00+05:30"),
        ("kal subah 10:30", "2026-11-25T10:30:00+05:30"),
        ("parso subah 11 baje", "2026-11-26T11:00:00+05:30"),
        ("kal raat 9 baje", "2026-11-25T21:00:00+05:30"),
        ("kal dopahar 2 baje", "2026-11-25T14:00:00+05:30"),
        ("कल शाम 5 बजे", "2026-11-25T17:00:00+05:30"),
        ("कल सुबह 10 बजे", "2026-11-25T10:00:00+05:30"),
        ("परसों दोपहर 3 बजे", "2026-11-26T15:00:00+05:30"),
        ("tomorrow 2:30 pm", "2026-11-25T14:30:00+05:30"),
        ("tomorrow 11am", "2026-11-25T11:00:00+05:30"),
        ("tomorrow 11 AM", "2026-11-25T11:00:00+05:30"),
        ("tomorrow 12pm", "2026-11-25T12:00:00+05:30"),
        ("tomorrow 12am", "2026-11-25T00:00:00+05:30"),
        ("tomorrow 5 p.m.", "2026-11-25T17:00:00+05:30"),
        ("tomorrow at 4", "2026-11-25T16:00:00+05:30"),
        ("tomorrow at 9", "2026-11-25T09:00:00+05:30"),
        ("tomorrow 16:30", "2026-11-25T16:30:00+05:30"),
        ("tomorrow 4:30", "2026-11-25T16:30:00+05:30"),
        ("tomorrow evening 6", "2026-11-25T18:00:00+05:30"),
        ("tomorrow morning 9:15", "2026-11-25T09:15:00+05:30"),
        ("tomorrow noon", "2026-11-25T12:00:00+05:30"),
        ("kal saade 4 baje", "2026-11-25T16:30:00+05:30"),
        ("kal sawa 11 baje", "2026-11-25T11:15:00+05:30"),
        ("kal paune 5 baje", "2026-11-25T16:45:00+05:30"),
        ("kal dedh baje", "2026-11-25T13:30:00+05:30"),
        ("Friday at 2:30 pm", "2026-11-27T14:30:00+05:30"),
        ("Monday 4pm", "2026-11-30T16:00:00+05:30"),
        ("next Monday 3pm", "2026-11-30T15:00:00+05:30"),
        ("Monday 12", "2026-11-30T12:00:00+05:30"),
        ("28/11 4pm", "2026-11-28T16:00:00+05:30"),
        ("on 26 Nov at 3pm", "2026-11-26T15:00:00+05:30"),
        ("29 Nov 4pm", "2026-11-29T16:00:00+05:30"),
        ("2 Dec ko dopahar 2 baje", "2026-12-02T14:00:00+05:30"),
        ("3 pm", "2026-11-24T15:00:00+05:30"),
        ("9 am", "2026-11-25T09:00:00+05:30"),
        ("5 baje shaam", "2026-11-24T17:00:00+05:30"),
    ],
)
def test_days_and_times(text: str, expected: str) -> None:
    assert when(text) == expected


@pytest.mark.parametrize(
    ("hour", "minute", "meridiem", "part", "expected"),
    [
        (4, 0, None, None, time(16, 0)),
        (1, 0, None, None, time(13, 0)),
        (7, 30, None, None, time(19, 30)),
        (8, 0, None, None, time(8, 0)),
        (11, 0, None, None, time(11, 0)),
        (12, 0, None, None, time(12, 0)),
        (15, 0, None, None, time(15, 0)),
        (5, 0, None, "am", time(5, 0)),
        (10, 0, None, "pm", time(22, 0)),
        (12, 0, None, "pm", time(12, 0)),
        (12, 0, "am", None, time(0, 0)),
        (13, 0, "pm", None, None),
        (25, 0, None, None, None),
    ],
)
def test_resolve_hour(hour: int, minute: int, meridiem: str | None, part: str | None, expected: time | None) -> None:
    assert resolve_hour(hour, minute, meridiem, part) == expected


def test_spans_cover_the_date_words() -> None:
    text = "meeting kal 4 baje"
    found = find_when(text, TODAY)
    covered = "".join(text[a:b] for a, b in found.spans)
    assert "kal" in covered and "4 baje" in covered


def test_phone_numbers_and_amounts_are_not_dates() -> None:
    assert when("call 9876501234") is None
    assert when("turnover 1.5 Cr") is None
    assert when("022-26781234") is None
