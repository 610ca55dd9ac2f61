"""Dates and times in English, Hinglish and Hindi, resolved exactly per the parse contract's rules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Word boundaries that also respect Devanagari (whose vowel signs are not `\w`).
WL = r"(?<![\w\u0900-\u097F])"
WR = r"(?![\w\u0900-\u097F])"

MONTHS: dict[str, int] = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
    "जनवरी": 1, "फरवरी": 2, "फ़रवरी": 2, "मार्च": 3, "अप्रैल": 4, "मई": 5, "जून": 6, "जुलाई": 7,
    "अगस्त": 8, "सितंबर": 9, "सितम्बर": 9, "अक्टूबर": 10, "अक्तूबर": 10, "नवंबर": 11, "नवम्बर": 11,
    "दिसंबर": 12, "दिसम्बर": 12,
}  # fmt: skip

WEEKDAYS: dict[str, int] = {
    "monday": 0, "mon": 0, "somvar": 0, "somwar": 0, "सोमवार": 0,
    "tuesday": 1, "tue": 1, "tues": 1, "mangalvar": 1, "mangalwar": 1, "मंगलवार": 1,
    "wednesday": 2, "wed": 2, "budhvar": 2, "budhwar": 2, "बुधवार": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "guruvar": 3, "guruwar": 3, "brihaspativar": 3,
    "गुरुवार": 3, "बृहस्पतिवार": 3,
    "friday": 4, "fri": 4, "shukravar": 4, "shukrawar": 4, "शुक्रवार": 4,
    "saturday": 5, "sat": 5, "shanivar": 5, "shaniwar": 5, "शनिवार": 5,
    "sunday": 6, "ravivar": 6, "raviwar": 6, "itvar": 6, "itwar": 6, "रविवार": 6, "इतवार": 6,
}  # fmt: skip

RELATIVE: dict[str, int] = {
    "yesterday": -1, "today": 0, "aaj": 0, "aj": 0, "आज": 0, "tonight": 0, "tonite": 0,
    "tomorrow": 1, "tomorow": 1, "tommorow": 1, "tommorrow": 1, "tmrw": 1, "tmr": 1, "tmrow": 1,
    "kal": 1, "kl": 1, "कल": 1,
    "day after tomorrow": 2, "day after tmrw": 2, "day after tmr": 2, "day after tomorow": 2,
    "day after tommorow": 2, "day after tommorrow": 2, "parso": 2, "parson": 2, "parsoon": 2, "parsho": 2,
    "परसों": 2, "परसो": 2,
}  # fmt: skip

AM_PARTS = ("subah", "subha", "suba", "सुबह", "morning", "savere", "सवेरे")
PM_PARTS = (
    "dopahar", "dopehar", "dophar", "दोपहर", "afternoon", "shaam", "sham", "शाम", "evening", "eve",
    "raat", "rat", "रात", "night", "tonight", "tonite",
)  # fmt: skip


def _alt(words: list[str] | tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_MONTH = _alt(list(MONTHS))
_ORD = r"(?:st|nd|rd|th)?"
_PART = _alt([*AM_PARTS, *PM_PARTS])

RE_REL = re.compile(WL + r"(" + _alt(list(RELATIVE)) + r")" + WR, re.I)
RE_IN_DAYS = re.compile(WL + r"(?:in\s+(\d{1,2})\s+days?|(\d{1,2})\s+(?:din|दिन)\s+(?:baad|bad|में|mein|बाद))" + WR, re.I)
RE_WEEKDAY = re.compile(
    WL + r"(?:(?:next|this|coming|agle|agla|is|अगले|इस)\s+)?(" + _alt(list(WEEKDAYS)) + r")\.?" + WR, re.I
)
RE_NUM_DATE = re.compile(
    WL + r"(\d{1,2})[/\-](\d{1,2})(?:[/\-](\d{2}|\d{4}))?" + WR + r"(?![/\-]\d)"
    r"(?!\s*(?:din|days?|दिन|log|लोग|people|cr|crore|lakh|%|percent|hours?|ghante|घंटे|baje|बजे|pm|am))",
    re.I,
)
RE_DOT_DATE = re.compile(WL + r"(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})" + WR)
RE_DAY_MONTH = re.compile(WL + r"(\d{1,2})" + _ORD + r"\s*(?:of\s+)?(" + _MONTH + r")\.?(?:,?\s*(\d{4}))?" + WR, re.I)
RE_MONTH_DAY = re.compile(WL + r"(" + _MONTH + r")\.?\s+(\d{1,2})" + _ORD + r"(?:,?\s*(\d{4}))?" + WR, re.I)
RE_DAY_OF_MONTH = re.compile(
    WL + r"(?:the\s+)?(\d{1,2})(?:(?:st|nd|rd|th)" + WR + r"|\s*(?:tarikh|tareekh|tarik|तारीख|तारीख़)" + WR + r")", re.I
)
RE_ISO_DATE = re.compile(WL + r"(\d{4})-(\d{2})-(\d{2})" + WR)

_FRACTION = r"(?:(saade|sade|saadhe|sadhe|साढ़े|साढे|sawa|sava|सवा|paune|pone|पौने)\s+)"
RE_TIME_AMPM = re.compile(WL + r"(\d{1,2})(?:[:.](\d{2}))?\s*(a\.?\s?m\.?|p\.?\s?m\.?)(?![a-z\u0900-\u097F])", re.I)
RE_TIME_BAJE = re.compile(
    WL + _FRACTION + r"?(\d{1,2})(?:[:.](\d{2}))?\s*(?:baje|bje|baaje|बजे|o'?clock|hrs|hours)" + WR, re.I
)
RE_TIME_HALF = re.compile(WL + r"(dedh|डेढ़|डेढ|dhai|dhaai|ढाई)(?:\s*(?:baje|bje|बजे))?" + WR, re.I)
RE_TIME_COLON = re.compile(WL + r"([01]?\d|2[0-3]):([0-5]\d)" + WR)
RE_TIME_PART_NUM = re.compile(
    WL + r"(" + _PART + r")\s+(?:(?:ke|ko|के|को|at|around)\s+)?" + _FRACTION + r"?(\d{1,2})(?:[:.](\d{2}))?" + WR,
    re.I,
)
RE_TIME_AT = re.compile(WL + r"(?:at|@|by|around)\s*(\d{1,2})(?:[:.](\d{2}))?" + WR + r"(?!\s*(?:/|-\d|%))", re.I)
RE_HOUR_AFTER_DAY = re.compile(
    r"\s+(?:at\s+|ko\s+|को\s+)?(\d{1,2})(?:[:.](\d{2}))?(?![\w\u0900-\u097F/%-]|[.:]\d|\s*(?:lakh|cr\b|crore|k\b))",
    re.I,
)
RE_PART = re.compile(WL + r"(" + _PART + r")" + WR, re.I)
RE_NOON = re.compile(WL + r"(noon|midday|दोपहर\s+12|12\s+noon)" + WR, re.I)


@dataclass(frozen=True)
class When:
    """A resolved moment or day, plus the character spans of the text that said it."""

    day: date | None
    at: time | None
    spans: tuple[tuple[int, int], ...]
    # A date written without a year that already passed this year (within RECENTLY_PASSED days) and was therefore
    # read as next year's, as the contract says; the bot asks rather than booking a year ahead ("29 Nov" on 30 Nov).
    rolled: str | None = None

    def iso(self, tz: ZoneInfo, today: date, now_time: time) -> str | None:
        """The contract's form: a date, or a datetime with the zone's offset."""
        day = self.day
        if self.at is not None:
            if day is None:
                day = today if self.at > now_time else today + timedelta(days=1)
            return datetime.combine(day, self.at, tzinfo=tz).isoformat()
        return day.isoformat() if day else None


RECENTLY_PASSED = 62  # days: a year-less date this recently past was most likely meant for this year


def _same_day(d: date, year: int) -> date | None:
    try:
        return d.replace(year=year)
    except ValueError:  # 29 Feb
        return None


def _next_on_or_after(today: date, month: int, day: int, year: int | None) -> date | None:
    try:
        if year is not None:
            return date(year + 2000 if year < 100 else year, month, day)
        candidate = date(today.year, month, day)
        if candidate < today:
            candidate = date(today.year + 1, month, day)
        return candidate
    except ValueError:
        return None


def _day_of_month(today: date, day: int) -> date | None:
    """`27th`, `5 tarikh`: that day of this month when still ahead (or today), else of the next month."""
    year, month = today.year, today.month
    for _ in range(3):
        try:
            candidate = date(year, month, day)
        except ValueError:
            candidate = None
        if candidate is not None and candidate >= today:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _part_of(text: str) -> str | None:
    word = text.casefold()
    if word in AM_PARTS:
        return "am"
    if word in PM_PARTS:
        return "pm"
    return None


def _fraction(word: str | None, hour: int) -> tuple[int, int]:
    if not word:
        return hour, 0
    w = word.casefold()
    if w in ("saade", "sade", "saadhe", "sadhe", "साढ़े", "साढे"):
        return hour, 30
    if w in ("sawa", "sava", "सवा"):
        return hour, 15
    return hour - 1, 45  # paune


def resolve_hour(hour: int, minute: int, meridiem: str | None, part: str | None) -> time | None:
    """Apply am/pm, the part of the day, or the contract's bare-hour rule (1-7 pm, 8-11 am, 12 noon)."""
    if hour > 23 or minute > 59 or hour < 0:
        return None
    if meridiem == "am" or (meridiem is None and part == "am"):
        if hour > 12:
            return time(hour, minute) if meridiem is None else None
        return time(0 if hour == 12 else hour, minute)
    if meridiem == "pm" or (meridiem is None and part == "pm"):
        if hour > 12:
            return time(hour, minute) if meridiem is None else None
        return time(hour if hour == 12 else hour + 12, minute)
    if hour == 0 or hour >= 13:
        return time(hour, minute)
    if 1 <= hour <= 7:
        return time(hour + 12, minute)
    return time(hour, minute)


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < b and a < span[1] for a, b in taken)


_REL_WORDS = frozenset(w for k in RELATIVE for w in k.split())
_PART_WORDS = frozenset((*AM_PARTS, *PM_PARTS, "noon", "midday"))
_HALF_WORDS = frozenset(("dedh", "डेढ़", "डेढ", "dhai", "dhaai", "ढाई"))
_BAJE_WORDS = frozenset(("baje", "bje", "baaje", "बजे", "o'clock", "oclock", "hrs", "hours"))
_AT_WORDS = frozenset(("at", "@", "by", "around"))
_DAYS_WORDS = frozenset(("day", "days", "din", "दिन"))
_RE_DIGIT = re.compile(r"\d")
_RE_WORD = re.compile(r"[\w\u0900-\u097F']+|@")


def find_when(text: str, today: date, words: frozenset[str] | set[str] | None = None) -> When:
    """Find the day and the time a message names (the last of each wins), with their spans.

    `words` (the message's casefolded words) lets the parser skip patterns that cannot match.
    """
    if words is None:
        words = {w.casefold() for w in _RE_WORD.findall(text)}
    spans: list[tuple[int, int]] = []
    days: list[tuple[int, date]] = []

    rolled: dict[int, str] = {}

    def note_rolled(m: re.Match[str], d: date | None, year: str | None) -> date | None:
        if d is not None and year is None and d.year > today.year:
            this_year = _same_day(d, today.year)
            if this_year is not None and 0 < (today - this_year).days <= RECENTLY_PASSED:
                rolled[m.start()] = m.group(0)
        return d

    def add_day(m: re.Match[str], d: date | None) -> None:
        if d is not None and not _overlaps(m.span(), spans):
            spans.append(m.span())
            days.append((m.start(), d))

    digits = _RE_DIGIT.search(text) is not None
    months = digits and not words.isdisjoint(MONTHS)
    for m in RE_ISO_DATE.finditer(text) if digits and "-" in text else ():
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        add_day(m, _next_on_or_after(today, mo, d, y))
    for m in RE_DAY_MONTH.finditer(text) if months else ():
        add_day(
            m,
            note_rolled(
                m,
                _next_on_or_after(
                    today, MONTHS[m.group(2).casefold()], int(m.group(1)), int(m.group(3)) if m.group(3) else None
                ),
                m.group(3),
            ),
        )
    for m in RE_MONTH_DAY.finditer(text) if months else ():
        add_day(
            m,
            note_rolled(
                m,
                _next_on_or_after(
                    today, MONTHS[m.group(1).casefold()], int(m.group(2)), int(m.group(3)) if m.group(3) else None
                ),
                m.group(3),
            ),
        )
    for rx in (RE_DOT_DATE, RE_NUM_DATE) if digits else ():
        for m in rx.finditer(text):
            add_day(
                m,
                note_rolled(
                    m,
                    _next_on_or_after(today, int(m.group(2)), int(m.group(1)), int(m.group(3)) if m.group(3) else None),
                    m.group(3),
                ),
            )
    for m in RE_DAY_OF_MONTH.finditer(text) if digits else ():
        add_day(m, _day_of_month(today, int(m.group(1))))
    for m in RE_IN_DAYS.finditer(text) if digits and not words.isdisjoint(_DAYS_WORDS) else ():
        add_day(m, today + timedelta(days=int(m.group(1) or m.group(2))))
    for m in RE_REL.finditer(text) if not words.isdisjoint(_REL_WORDS) else ():
        add_day(m, today + timedelta(days=RELATIVE[m.group(1).casefold()]))
    for m in RE_WEEKDAY.finditer(text) if not words.isdisjoint(WEEKDAYS) else ():
        ahead = (WEEKDAYS[m.group(1).casefold()] - today.weekday()) % 7 or 7
        add_day(m, today + timedelta(days=ahead))

    day_spans = list(spans)
    found_time = _find_time(text, spans, digits, words)
    at = found_time[1] if found_time else None
    day: date | None
    if found_time is not None and len(days) > 1:
        # `move it to tmrw 4pm, cust busy today`: the day said next to the time is the one meant.
        day = min(days, key=lambda d: abs(d[0] - found_time[0]))[1]
    else:
        day = max(days)[1] if days else None
    if at is None and day_spans and digits:
        # `Monday 12`, `kal 5`: a bare hour right after the day.
        end = max(b for _, b in day_spans)
        bare = RE_HOUR_AFTER_DAY.match(text, end)
        if bare:
            part = None
            for pm in RE_PART.finditer(text) if not words.isdisjoint(_PART_WORDS) else ():
                part = _part_of(pm.group(1)) or part
            at = resolve_hour(int(bare.group(1)), int(bare.group(2) or 0), None, part)
            if at is not None:
                spans.append(bare.span())
    chosen = next((start for start, d in days if d == day), None)
    return When(day, at, tuple(sorted(spans)), rolled.get(chosen) if chosen is not None else None)


def _find_time(
    text: str, spans: list[tuple[int, int]], digits: bool, words: frozenset[str] | set[str]
) -> tuple[int, time] | None:
    """The time of day a text names (the last one wins) and where it starts."""
    found: list[tuple[int, time]] = []
    part: str | None = None
    parts = not words.isdisjoint(_PART_WORDS)
    for m in RE_PART.finditer(text) if parts else ():
        part = _part_of(m.group(1)) or part

    def add(m: re.Match[str], t: time | None) -> None:
        if t is not None and not _overlaps(m.span(), spans):
            spans.append(m.span())
            found.append((m.start(), t))

    for m in RE_NOON.finditer(text) if parts else ():
        add(m, time(12, 0))
    for m in RE_TIME_HALF.finditer(text) if not words.isdisjoint(_HALF_WORDS) else ():
        hour = 1 if m.group(1).casefold() in ("dedh", "डेढ़", "डेढ") else 2
        add(m, resolve_hour(hour, 30, None, part))
    if not digits:
        return max(found) if found else None
    low = text.casefold()
    ampm = "am" in low or "pm" in low or "a.m" in low or "p.m" in low
    for m in RE_TIME_AMPM.finditer(text) if ampm else ():
        mer = "am" if m.group(3).casefold().startswith("a") else "pm"
        add(m, resolve_hour(int(m.group(1)), int(m.group(2) or 0), mer, None))
    for m in RE_TIME_PART_NUM.finditer(text) if parts else ():
        hour, minute = _fraction(m.group(2), int(m.group(3)))
        if m.group(4):
            minute = int(m.group(4))
        add(m, resolve_hour(hour, minute, None, _part_of(m.group(1))))
    for m in RE_TIME_BAJE.finditer(text) if not words.isdisjoint(_BAJE_WORDS) else ():
        hour, minute = _fraction(m.group(1), int(m.group(2)))
        if m.group(3):
            minute = int(m.group(3))
        add(m, resolve_hour(hour, minute, None, part))
    for m in RE_TIME_COLON.finditer(text) if ":" in text else ():
        add(m, resolve_hour(int(m.group(1)), int(m.group(2)), None, part))
    for m in RE_TIME_AT.finditer(text) if not words.isdisjoint(_AT_WORDS) else ():
        add(m, resolve_hour(int(m.group(1)), int(m.group(2) or 0), None, part))
    if found:
        return max(found)
    return None


def local_today(now: datetime, tz: ZoneInfo) -> tuple[date, time]:
    """Today's date and the time of day in the team's zone."""
    local = now.astimezone(tz)
    return local.date(), local.time().replace(tzinfo=None)
