"""Rules for the conversational intents of #13: cancel a meeting or demo, postpone without a date, reminders.

Called by one hook at the very start of RuleParser._decide (crm_core.parsing.rules): `decide()` returns a reading
when the message is clearly one of these, else None and the built-in parser goes on as before. The patterns are
narrow on purpose — a report in the past tense ("reminder bheja", "cancel nahi, monday kar do") stays with the
rules that read it today.

- `cancel_meeting` / `cancel_demo`: a cancel word and a meeting/demo word ("Acme ki meeting cancel karo, client
  busy", "cancel the demo with Acme - budget freeze", "एक्मे का डेमो रद्द करो"); the reason goes in `note`.
- `reschedule_*` without `when`: "postpone the meeting with Acme", "Acme ka demo aage karo" — the handler asks when.
- `set_reminder`: "remind me Friday to call Acme", "follow up with Acme on 5th Dec", "Acme ko kal call karna hai",
  "मुझे कल याद दिलाना Acme को कॉल करना है"; `note` is what to do, `when` the moment (a date alone is allowed).
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from crm_core.commands import Intent
from crm_core.names import team_member
from crm_core.parsing import lexicon as lx
from crm_core.parsing.company import pick_company
from crm_core.parsing.dates import AM_PARTS, local_today
from crm_core.parsing.extract import MASK, mask, mask_tokens, strip_edges
from crm_core.ports import ParseContext

if TYPE_CHECKING:
    from crm_core.parsing.rules import _Draft, _Signals

_B = r"(?<![\w\u0900-\u097F])"
_E = r"(?![\w\u0900-\u097F])"


def _rx(*alts: str) -> re.Pattern[str]:
    return re.compile(_B + r"(?:" + "|".join(alts) + r")" + _E, re.IGNORECASE)


CANCEL = _rx(
    r"cancel(?:led|ed|l)?", r"call\s+off", r"called\s+off", r"radd", r"रद्द", r"कैंसल", r"cancle", r"kensal",
)  # fmt: skip
NOT_CANCEL = re.compile(
    r"cancel\w*\s+(?:nahi|nhi|mat|not|नहीं|मत)|(?:don'?t|do\s+not|mat|na)\s+cancel|(?:नहीं|मत)\s+(?:रद्द|कैंसल)", re.I
)
MEETING = _rx(*(re.escape(w) for w in lx.MEETING))
DEMO = _rx(*(re.escape(w) for w in lx.DEMO))
POSTPONE = _rx(
    r"postpone(?:d)?", r"reschedule(?:d)?", r"re-schedule", r"push", r"aage\s+(?:karo|kar\s+do|krdo|kro|badhao)",
    r"aage\s+badha\s+do", r"shift\s+(?:karo|kar\s+do|kro)", r"पोस्टपोन", r"आगे\s+(?:करो|कर\s+दो|बढ़ाओ)",
    r"रीशेड्यूल", r"बदलो",
)  # fmt: skip
REMIND = _rx(
    r"remind(?:\s+me)?", r"reminder\s+(?:set|laga(?:o|do|\s+do)?|rakh(?:o|do)?|for|on|daal(?:o|do)?)",
    r"set\s+(?:a\s+)?reminder", r"yaad\s+dila(?:na|o|dena|\s+dena|\s+do)?", r"yad\s+dila(?:na|o|dena)?",
    r"याद\s+दिला(?:ना|ओ|\s+देना|\s+दो)?", r"रिमाइंडर\s+(?:लगा(?:ओ|\s+दो)?|सेट\s+करो)",
)  # fmt: skip
FOLLOW_UP = _rx(r"follow[\s-]?up", r"followup", r"फॉलो[\s-]?अप", r"फ़ॉलो[\s-]?अप")
DUTY = _rx(
    r"(?:call|phone|visit|whatsapp|mail|email|payment\s+follow\s*up|quotation\s+bhej)\s+(?:karna|karni|krna|krni)"
    r"\s*(?:hai|h|he)?",
    r"(?:कॉल|फ़ोन|फोन|विज़िट|विजिट)\s+करना\s*(?:है)?",
)
PAST = _rx(
    r"kiya", r"kia", r"ki\s+thi", r"did", r"done", r"sent", r"bheja", r"bhej\s+diya", r"ho\s+gaya", r"ho\s+gayi",
    r"followed", r"kar\s+diya", r"kr\s+diya", r"कर\s+दिया", r"किया", r"भेजा", r"हो\s+गया", r"हो\s+गई",
)  # fmt: skip
# The hour a part of the day means when no time is given (a reminder "monday morning", "kal shaam").
PART_HOURS = {
    **dict.fromkeys(AM_PARTS, 10),
    **dict.fromkeys(("dopahar", "dopehar", "dophar", "दोपहर", "afternoon"), 14),
    **dict.fromkeys(("shaam", "sham", "शाम", "evening", "eve"), 18),
    **dict.fromkeys(("raat", "rat", "रात", "night", "tonight", "tonite"), 20),
}
PART_OF_DAY = re.compile(
    _B + r"(" + "|".join(sorted(map(re.escape, PART_HOURS), key=len, reverse=True)) + r")" + _E, re.I
)
_CLAUSES = re.compile(r"[,;:.!?|।]\s|\s[-–—]\s|[,;|।]")
_REASON = re.compile(
    r"\s*(?:[,;:]|\s[-–—]\s|\.\s)\s*|\s+(?:because|as|since|kyunki|kyonki|kyuki|reason\s*:?|wajah|क्योंकि|कारण)\s+",
    re.IGNORECASE,
)
_LEAD_IN = _rx(r"remind\s+me\s+(?:to|about|that)", r"reminder\s+(?:to|for)", r"to", r"ki", r"ke\s+liye", r"that")
_NOISE = _rx(
    r"please", r"pls", r"plz", r"mujhe", r"me", r"mere", r"ko", r"liye", r"ke", r"on", r"at", r"by", r"hai", r"h",
    r"मुझे", r"को", r"है", r"for", r"with", r"se", r"ke\s+saath",
)  # fmt: skip


# A leader's views (#13 item 6): the whole message is the request, so the patterns match it entire (after the day
# words are masked out): "team ke leads", "my team's tasks", "Amit ke leads dikhao", "pipeline summary".
_W = r"[A-Za-z\u0900-\u097F][\w\u0900-\u097F.]*"
_PLEASE = r"(?:please|pls|plz|kindly|zara|ज़रा|जरा)"
_SHOW = (
    r"(?:show|list|send|give|get|check|see|dikhao|dikha\s*do|dikhana|batao|bata\s*do|bhejo|bhej\s*do|दिखाओ|दिखा\s*दो|"
    r"दिखाइए|बताओ|बता\s*दो|भेजो)"
)
_ASK = rf"(?:(?:{_PLEASE}\s+)?(?:{_SHOW}\s+)?(?:me\s+)?(?:all\s+)?(?:the\s+)?)"
_TAIL = rf"(?:\s+(?:{_SHOW}|{_PLEASE}|ji|जी|sir|today|for|on|of|hai|h|है|कर\s*दो|kar\s*do))*\s*[?.!]*"
_OF = r"(?:\s+(?:ke|ki|ka|of|के|की|का|wale|wali|वाले|वाली))?"
_TEAM = (
    r"(?:(?:my|our|the|meri|mere|mera|hamari|hamare|hamara|apni|apne|मेरी|मेरे|मेरा|हमारी|हमारे|अपनी|अपने)\s+)?"
    r"(?:team|टीम)(?:'s|’s|s)?"
)
_LEADS = r"(?:(?:open|all|saari|sabhi|sab|सारी|सभी|सब)\s+)?(?:leads?|leadz|लीड्स|लीड|लीडें|लीडस)"
_TASKS = r"(?:(?:aaj|kal|today|tomorrow|आज|कल)\s+(?:ke|ka|ki|के|का|की)\s+)?(?:tasks?|kaam|काम|टास्क|टास्क्स|schedule|शेड्यूल)"
_TEAM_LEADS = re.compile(rf"{_ASK}(?:{_TEAM}{_OF}\s+{_LEADS}|{_LEADS}\s+of\s+{_TEAM}){_TAIL}", re.I)
_TEAM_TASKS = re.compile(rf"{_ASK}(?:{_TEAM}{_OF}\s+{_TASKS}|{_TASKS}\s+(?:of|for)\s+{_TEAM}){_TAIL}", re.I)
_NAMED = re.compile(
    rf"{_ASK}(?:(?P<a>{_W}(?:\s+{_W})?)(?:'s|’s|\s+(?:ke|ki|ka|के|की|का))\s+(?P<x>{_LEADS}|{_TASKS})"
    rf"|(?P<y>{_LEADS}|{_TASKS})\s+(?:of|for)\s+(?P<b>{_W}(?:\s+{_W})?)){_TAIL}",
    re.I,
)
_PIPELINE = _rx(r"pipeline", r"pipe\s*line", r"पाइपलाइन", r"पाइप\s+लाइन")
_SUMMARY = _rx(
    r"summary", r"summery", r"report", r"overview", r"status", r"kaisa", r"kaisi", r"kaise", r"kesa", r"how\s+is",
    r"how'?s", r"सारांश", r"रिपोर्ट", r"कैसा", r"कैसी", r"कैसे", r"स्टेटस",
)  # fmt: skip


def _team_view(text: str, s: _Signals, ctx: ParseContext) -> _Draft | None:
    """team_leads, team_tasks (the day in `when`), pipeline_summary — or one member's, named in `assignee`."""
    from crm_core.parsing.rules import _Draft

    if s.contact_info or len(text) > 80:
        return None
    bare = re.sub(r"\s+", " ", mask(text, list(s.when.spans)).replace(MASK, " ")).strip(" ,.!?।")
    today, now_time = local_today(ctx.now, ctx.tz)
    confidence = 0.9 - s.typo_penalty
    if _PIPELINE.search(text) and (_SUMMARY.search(text) or re.search(_TEAM, text, re.I)):
        return _Draft(Intent.PIPELINE_SUMMARY, confidence, {})
    if _TEAM_LEADS.fullmatch(bare):
        return _Draft(Intent.TEAM_LEADS, confidence, {})
    if _TEAM_TASKS.fullmatch(bare):
        return _Draft(Intent.TEAM_TASKS, confidence, {"when": s.when.iso(ctx.tz, today, now_time)})
    named = _NAMED.fullmatch(bare)
    if named is None:
        return None
    written = named.group("a") or named.group("b")
    if not ctx.team_names or team_member(written, ctx.team_names) is None:
        return None
    tasks = re.fullmatch(_LEADS, named.group("x") or named.group("y"), re.I) is None
    fields: dict[str, str | None] = {"assignee": written}
    if tasks:
        fields["when"] = s.when.iso(ctx.tz, today, now_time)
    return _Draft(Intent.TEAM_TASKS if tasks else Intent.TEAM_LEADS, confidence, fields)


def decide(text: str, s: _Signals, ctx: ParseContext) -> _Draft | None:
    """The reading of a conversational command, or None when the message is none of them."""
    if (team := _team_view(text, s, ctx)) is not None:
        return team
    if CANCEL.search(text) and not NOT_CANCEL.search(text) and (MEETING.search(text) or DEMO.search(text)):
        return _cancel(text, s, ctx)
    meeting = MEETING.search(text) is not None or DEMO.search(text) is not None
    if REMIND.search(text) and not s.has("tasks") and not meeting:
        return _reminder(text, s, ctx)
    # Without "remind", only a single clause that is all about something to do later ("follow up with Acme on
    # 5th Dec", "Acme ko kal call karna hai"); a report with a plan in it ("called, kal phir call karna h")
    # stays an activity.
    said_once = _CLAUSES.search(text.strip(" .!?।")) is None
    to_do = FOLLOW_UP.search(text) is not None or DUTY.search(text) is not None
    if to_do and said_once and not meeting and not PAST.search(text) and _ahead(s, ctx):
        return _reminder(text, s, ctx)
    timed = s.when.day is not None or s.when.at is not None
    if POSTPONE.search(text) and not timed and meeting and not PAST.search(text):
        intent = Intent.RESCHEDULE_DEMO if _demo_first(text) else Intent.RESCHEDULE_MEETING
        return _draft(intent, text, s, ctx, [m.span() for m in POSTPONE.finditer(text)], note=False)
    return None


def _ahead(s: _Signals, ctx: ParseContext) -> bool:
    """A day from today on, or a time: the moment of something still to do."""
    today, _ = local_today(ctx.now, ctx.tz)
    return s.when.at is not None or (s.when.day is not None and s.when.day >= today)


def _demo_first(text: str) -> bool:
    demo, meeting = DEMO.search(text), MEETING.search(text)
    return demo is not None and (meeting is None or demo.start() < meeting.start())


def _cancel(text: str, s: _Signals, ctx: ParseContext) -> _Draft:
    intent = Intent.CANCEL_DEMO if _demo_first(text) else Intent.CANCEL_MEETING
    words = [m.span() for rx in (CANCEL, MEETING, DEMO) for m in rx.finditer(text)]
    last_word = max(end for _, end in words)
    first_word = min(start for start, _ in words)
    # The reason follows a separator after the command words ("…, client busy", "… because budget").
    cut = _REASON.search(text, last_word)
    head, reason = (text[: cut.start()], text[cut.end() :]) if cut else (text, "")
    draft = _draft(intent, head, s, ctx, words, note=False)
    if not reason.strip() and first_word > 0:
        # "client busy hai, Acme ki meeting cancel karo": the reason may come first, before the company.
        before = _REASON.search(text[:first_word])
        company = draft.fields.get("company")
        at = text.find(company) if company else -1
        if before is not None and before.start() > 0 and at >= before.end():
            reason = text[: before.start()]
    note = _clean(reason)
    if note:
        draft.fields["note"] = note
    return draft


def _reminder(text: str, s: _Signals, ctx: ParseContext) -> _Draft:
    parts = [(m.span(), m.group(1).casefold()) for m in PART_OF_DAY.finditer(text)]
    spans = [m.span() for m in REMIND.finditer(text)] + list(s.when.spans) + [span for span, _ in parts]
    draft = _draft(Intent.SET_REMINDER, text, s, ctx, spans, note=False)
    today, now_time = local_today(ctx.now, ctx.tz)
    draft.fields["when"] = s.when.iso(ctx.tz, today, now_time)
    if s.when.at is None and parts:
        # "monday morning", "kal shaam": the part of the day sets the hour (a date alone would be 10:00).
        day = s.when.day or (today if PART_HOURS[parts[0][1]] > now_time.hour else today + timedelta(days=1))
        at = time(PART_HOURS[parts[0][1]], 0)
        draft.fields["when"] = datetime.combine(day, at, tzinfo=ctx.tz).isoformat()
    # What to do: the message without the reminder words and the moment ("call Acme", "follow up with Acme").
    rest = mask(text, spans)
    rest = _LEAD_IN.sub(" ", rest, count=1) if _LEAD_IN.match(rest.replace(MASK, " ").strip()) else rest
    note = _clean(rest.replace(MASK, " "))
    if note:
        draft.fields["note"] = note
    if not draft.fields["when"]:
        draft.confidence = min(draft.confidence, 0.8)
    return draft


def _draft(
    intent: Intent, text: str, s: _Signals, ctx: ParseContext, spans: list[tuple[int, int]], *, note: bool
) -> _Draft:
    from crm_core.parsing.rules import _Draft

    del note
    spans = spans + list(s.when.spans)
    masked = mask(text, spans)
    tokens = [t for t in s.tokens if t.end <= len(text)]
    pick = pick_company(text, masked, ctx, mask_tokens(tokens, spans))
    company = strip_edges(text[pick.start : pick.end]) if pick else None
    if company is not None and _NOISE.fullmatch(company.strip()):
        company, pick = None, None
    confidence = 0.9 - s.typo_penalty
    if company is None:
        confidence = min(confidence, 0.45)
    elif pick is not None and pick.how == "plain":
        confidence -= 0.1
    draft = _Draft(intent, confidence, {"company": company})
    draft.how = pick.how if pick else None
    return draft


def _clean(text: str) -> str | None:
    """A note without edges, doubled spaces and leftover fillers at either end."""
    text = re.sub(r"\s+", " ", text).strip(" ,.;:-–—!")
    while True:
        trimmed = re.sub(r"^(?:and|aur|to|ki|ke|ko|on|at|by|please|pls|plz|mujhe|me|और|को|मुझे)\s+", "", text, flags=re.I)
        trimmed = re.sub(r"\s+(?:please|pls|plz|hai|h|है|on|at|by|ko|को)$", "", trimmed, flags=re.I)
        if trimmed == text:
            break
        text = trimmed.strip(" ,.;:-–—!")
    return text[:2000] or None
