"""The built-in parser: no network, no key. Grammar for English, Hinglish and Hindi command messages."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

from crm_core.commands import Command, Doubt, Intent, ParseResult
from crm_core.names import team_member
from crm_core.parsing import conversation, cues
from crm_core.parsing import lexicon as lx
from crm_core.parsing.company import note_around, pick_company, titled_names
from crm_core.parsing.confidence import calibrated, features
from crm_core.parsing.dates import MONTHS, RELATIVE, WEEKDAYS, When, find_when, local_today
from crm_core.parsing.details import DETAIL_LABELS, detail_spans, find_details
from crm_core.parsing.extract import (
    MASK,
    Token,
    clean_name,
    find_emails,
    find_phones,
    mask,
    mask_tokens,
    name_text,
    segments,
    strip_edges,
    tokenize,
)
from crm_core.parsing.intent_model import opinion
from crm_core.parsing.new_lead import LEAD_LABELS, broken_phone, read_new_lead
from crm_core.parsing.phrases import Found, find_owners, find_source
from crm_core.parsing.validate import check_command, safe_command
from crm_core.ports import ParseContext

_GROUPS: dict[str, tuple[str, ...]] = {
    "meeting": lx.MEETING,
    "demo": lx.DEMO,
    "reschedule": lx.RESCHEDULE,
    "done": lx.DONE,
    "schedule": lx.SCHEDULE,
    "qualify": lx.QUALIFY,
    "disqualify": lx.DISQUALIFY,
    "new_lead": lx.NEW_LEAD,
    "reassign": lx.REASSIGN,
    "won": lx.WON,
    "lost": lx.LOST,
    "activity": lx.ACTIVITY_EXPLICIT,
    "activity_implicit": lx.ACTIVITY_IMPLICIT,
    "tasks": lx.TASKS,
    "leads": lx.LEADS_PLURAL,
    "listing": lx.LISTING,
    "info": lx.LEAD_INFO,
    "help": lx.HELP,
}
_RX = {name: lx.words_rx(*words) for name, words in _GROUPS.items()}
_KW = {name: lx.Keywords(*words) for name, words in _GROUPS.items()}
_RX_PLURAL_MEETINGS = lx.words_rx("meetings", "demos", "मीटिंग्स", "appointments")
_RX_CANCEL = lx.words_rx("cancel", "cancelled", "canceled", "call off", "रद्द", "कैंसल", "cancel karo")
_RX_LEADS_ONLY = lx.words_rx("leads", "pipeline", "लीड्स", "lead list", "पाइपलाइन")
# "मेरे लीड दिखाओ", "mere lead dikhao": Hindi often keeps the singular for "my leads".
_RX_MY_LEAD_SINGULAR = re.compile(
    r"^\s*(?:(?:show|list|see)\s+)?(?:my|mere|meri|मेरे|मेरी|सारे|sab)\s+(?:lead|लीड)\s*"
    r"(?:dikhao|dikha\s*do|batao|bata\s*do|दिखाओ|दिखा\s*दो|बताओ|बता\s*दो)?\s*[?.!।]*\s*$",
    re.IGNORECASE,
)

_NAME = r"([\w\u0900-\u097F][\w\u0900-\u097F'’.]*(?:\s+[\w\u0900-\u097F][\w\u0900-\u097F'’.]*)?)"
_WORD = r"([\w\u0900-\u097F]+)"
_TASK_WORDS = frozenset(w for p in lx.TASKS for w in p.split() if w not in ("kaam", "काम", "kya", "hai", "क्या", "है"))
RE_TO_NAME = re.compile(lx.WL + r"(?:to|ko)\s+" + _NAME, re.I)
RE_FROM_NAME = re.compile(lx.WL + r"from\s+" + _WORD + r"(?=\s+to\b)", re.I)
# `(earlier Sneha)`, `Neha se hata ke`: the previous owner, never the company.
RE_EARLIER = re.compile(
    lx.WL
    + r"(?:earlier|previously|was\s+with|pehle|पहले)\s+"
    + _WORD
    + r"|"
    + lx.WL
    + _WORD
    + r"\s+(?:se|से)\s+(?:hata|हटा)\w*(?:\s+(?:ke|kar|के|कर))?",
    re.I,
)
_NEW_LEAD_WORDS = cues.phrase_rx(*lx.NEW_LEAD, "lead", "leads", "enquiry", "inquiry", "लीड", "जोड़ो", "जोड़ दो", "बनाओ",
                                  "डालो", "add", "create", "naya", "nayi", "new", "नया", "नई", "नयी")  # fmt: skip

NOTE_INTENTS = {Intent.MEETING_DONE, Intent.DEMO_DONE, Intent.ADD_ACTIVITY, Intent.MARK_LOST, Intent.MARK_WON}
COMPANY_INTENTS = {
    Intent.QUALIFY_LEAD, Intent.SCHEDULE_MEETING, Intent.SCHEDULE_DEMO, Intent.RESCHEDULE_MEETING,
    Intent.RESCHEDULE_DEMO, Intent.MEETING_DONE, Intent.DEMO_DONE, Intent.ADD_ACTIVITY, Intent.REASSIGN_LEAD,
    Intent.MARK_WON, Intent.MARK_LOST, Intent.LEAD_INFO,
}  # fmt: skip
WHEN_INTENTS = {Intent.SCHEDULE_MEETING, Intent.SCHEDULE_DEMO, Intent.RESCHEDULE_MEETING, Intent.RESCHEDULE_DEMO}
# The command words of an intent: a segment made only of these is skipped when looking for the note.
_OWN_WORDS = {
    Intent.MEETING_DONE: ("meeting", "done"),
    Intent.DEMO_DONE: ("demo", "done"),
    Intent.ADD_ACTIVITY: ("activity",),
    Intent.MARK_LOST: ("lost",),
    Intent.MARK_WON: ("won",),
}


# Words between the company and the note that belong to the command (`… meeting ho gayi unko pricing chahiye`).
NOTE_SKIP = frozenset(
    w.casefold()
    for phrase in (*lx.MEETING_OR_DEMO, *lx.DONE, *lx.WON, *lx.LOST, *lx.ACTIVITY_EXPLICIT, *lx.NEW_LEAD)
    for w in phrase.split()
) | frozenset(
    [
        "for",
        "with",
        "of",
        "ka",
        "ki",
        "ke",
        "se",
        "ko",
        "is",
        "are",
        "the",
        "a",
        "has",
        "have",
        "been",
        "hai",
        "was",
        "ho",
        "gaya",
        "gayi",
        "as",
        "mark",
        "marked",
        "now",
        "deal",
        "lead",
        "to",
        "ne",
        "kar",
        "diya",
        "do",
        "saath",
        "sath",
        "had",
        "held",
        "wale",
        "wala",
        "wali",
        "का",
        "की",
        "के",
        "से",
        "को",
        "है",
        "ने",
        "साथ",
        "वाले",
    ]
)


# A reading that failed validation (an owner not on the team, a company that is an amount…) is asked about.
DOUBTFUL = 0.5


@dataclass
class _Draft:
    intent: Intent
    confidence: float
    fields: dict[str, str | None] = field(default_factory=dict)
    details: dict[str, str] = field(default_factory=dict)
    rejected: dict[str, str] = field(default_factory=dict)
    how: str | None = None  # how the company was recognised (see company.CompanyPick)
    positional: bool = False  # a new lead's company or contact was taken by order alone
    signals: _Signals | None = None


class RuleParser:
    """The built-in parser: intent from command words and cues, fields from labels, phrases and word lists."""

    def __init__(self, region: str = "IN") -> None:
        self.region = region

    def parse(self, text: str, ctx: ParseContext) -> ParseResult:
        """Parse one message into a command with a confidence in [0, 1]."""
        text = _normalise(text)
        memo: dict[str, _Draft] = {}
        draft = self._parse(text, ctx, memo)
        split = self._split_also(text, ctx, memo)
        command, confidence, rejected = self._command(draft)
        if split is not None:
            head, tails = split
            command, confidence, rejected = self._command(head)
            subs = [self._command(t) for t in tails]
            command = command.model_copy(update={"also": [c for c, _, _ in subs]})
            confidence = min([confidence, *(c for _, c, _ in subs)])
        checked = check_command(command, ctx)
        doubts = list(checked.doubts)
        for key in rejected:
            doubt = {
                "phone": Doubt.PHONE,
                "company": Doubt.COMPANY,
                "assignee": Doubt.ASSIGNEE,
                "when": Doubt.WHEN,
            }.get(key, Doubt.FIELDS)
            if doubt not in doubts:
                doubts.append(doubt)
        head = split[0] if split is not None else draft
        feats: dict[str, float] = {}
        if draft.signals is not None and text:
            feats = reading_features(text, checked.command, confidence, head, draft.signals)
            confidence = calibrated(feats, confidence)
        if doubts:
            confidence = min(confidence, DOUBTFUL)
        return ParseResult(
            command=checked.command,
            confidence=round(max(0.0, min(1.0, confidence)), 3),
            source="rules",
            doubts=doubts,
            rejected={**rejected, **checked.rejected},
            features=feats,
        )

    def _command(self, draft: _Draft) -> tuple[Command, float, dict[str, str]]:
        data: dict[str, object] = {k: v for k, v in draft.fields.items() if v}
        data["intent"] = draft.intent
        if draft.details:
            data["details"] = draft.details
        command, dropped = safe_command(data)
        confidence = draft.confidence - 0.3 * len(dropped)
        if command is None:  # cannot happen with the rules' own intents; kept as a guard
            command, confidence = Command(intent=Intent.UNKNOWN), 0.0
        return command, confidence, {**dropped, **draft.rejected}

    def _split_also(self, text: str, ctx: ParseContext, memo: dict[str, _Draft]) -> tuple[_Draft, list[_Draft]] | None:
        """Further commands in the same message (`new lead …, demo kal 12 baje`), when every part is sure.

        The last part is cut first (the shortest tail that reads as a command of its own), then the rest again.
        """
        if not _RE_FOLLOW_ON_HINT.search(text):
            return None  # no meeting, owner, outcome or "also" word: one command
        cuts = sorted(
            {(m.start(), m.end(), bool(_RE_EXPLICIT.search(m.group(0)))) for m in cues.ALSO_SPLIT.finditer(text)}
            | {(m.start(), m.end(), False) for m in _RE_PART_SEP.finditer(text)},
            reverse=True,
        )
        for start, end, explicit in cuts:
            head_text, tail_text = text[:start], text[end:]
            if len(head_text.split()) < 2 or len(tail_text.split()) < 2:
                continue
            if not explicit and not _RE_FOLLOW_ON_HINT.search(tail_text):
                continue
            tail = self._parse(tail_text, ctx, memo)
            if not _follow_on(tail, explicit, tail_text):
                continue
            head = self._parse(head_text, ctx, memo)
            if head.intent not in _HEAD_INTENTS or (head.intent == tail.intent and not explicit):
                continue
            if head.intent is Intent.NEW_LEAD and tail.intent is Intent.REASSIGN_LEAD and tail.how is None:
                continue  # "…, handover to Arjun" after a new lead names its owner
            tails = [tail]
            earlier = self._split_also(head_text, ctx, memo)
            if earlier is not None:
                head, tails = earlier[0], [*earlier[1], tail]
            for sub in tails:
                sub_company, head_company = sub.fields.get("company"), head.fields.get("company")
                if sub.how not in ("business", "known", "marked") or (
                    sub_company and head_company and sub_company.casefold() == head_company.casefold()
                ):
                    sub.fields["company"] = None
                if sub.fields.get("company") is None:
                    # A follow-on without a company acts on the first command's lead: no lead is missing.
                    sub.confidence = max(sub.confidence, _FOLLOW_ON_CONFIDENCE)
            return head, tails
        return None

    # -- intent ---------------------------------------------------------------------------------------------

    def _parse(self, text: str, ctx: ParseContext, memo: dict[str, _Draft] | None = None) -> _Draft:
        """One reading of a text (the whole message or a part of it); a part is read once per message."""
        if memo is not None:
            seen = memo.get(text)
            if seen is None:
                seen = memo[text] = self._parse(text, ctx)
            return replace(seen, fields=dict(seen.fields))  # the caller may adjust a part's fields
        if not text:
            return _Draft(Intent.UNKNOWN, 1.0)
        if lx.INJECTION.search(text):
            return _Draft(Intent.UNKNOWN, 0.9)
        s = _Signals.read(text, ctx, self.region)
        draft = self._decide(text, s, ctx)
        draft.signals = s
        return draft

    def _decide(self, text: str, s: _Signals, ctx: ParseContext) -> _Draft:
        if (talk := conversation.decide(text, s, ctx)) is not None:  # cancel, postpone-without-date, reminders
            return talk
        has = s.has
        details, first_label = find_details(text)
        if details and not has("new_lead") and not s.contact_info:
            prefix = " ".join(t.norm for t in s.tokens if t.end <= first_label)
            strong = any(has(k, prefix) for k in ("activity", "meeting", "demo", "qualify", "won", "lost", "new_lead"))
            if not strong and (first_label == 0 or len(details) >= 2 or _only_a_company(text[:first_label], ctx)):
                return self._lead_details(text, first_label, details, ctx)
        if s.question and _RE_HOW_TO.search(text) and not s.contact_info:
            return _Draft(Intent.HELP, 0.9)  # "how do I add a new lead?" asks about the bot, not for a lead
        info = cues.INFO_CUES.search(text) is not None or "status" in s.ns_words
        if info and not has("new_lead") and not s.contact_info and (s.question or not s.meeting_kw):
            return self._with_company(Intent.LEAD_INFO, s, ctx, 0.0, cues.INFO_CUES)
        if has("qualify") and not has("disqualify") and not s.contact_info:
            return self._with_company(Intent.QUALIFY_LEAD, s, ctx, 0.0, None)
        if has("new_lead") or (s.contact_info and (s.source or s.owners or not s.meeting_kw)):
            return self._new_lead(text, s, ctx, 0.0 if has("new_lead") else 0.08)
        if (has("reassign") or (s.owners and not s.meeting_kw)) and not s.contact_info:
            return self._reassign(s, ctx, 0.0 if has("reassign") else 0.05)
        vague_work = s.ns_words.isdisjoint(_TASK_WORDS)  # only "kaam"/"काम": a chore, unless asked to list
        if has("tasks") and (has("listing") or (not vague_work and (s.when.day is not None or len(s.tokens) <= 3))):
            return self._list_tasks(s.when)
        if has("activity", s.first):
            return self._with_company(Intent.ADD_ACTIVITY, s, ctx, 0.0, None)
        if s.meeting_kw:
            meeting = self._meeting(s, ctx)
            if meeting is not None:
                return meeting
        lost = cues.LOST_CUES.search(text) is not None or has("lost") or has("disqualify")
        won = _won(text, has("won"))
        if lost and not s.question:
            return self._with_company(Intent.MARK_LOST, s, ctx, 0.0, cues.LOST_CUES)
        if won and not s.question:
            return self._with_company(Intent.MARK_WON, s, ctx, 0.03, cues.WON_CUES)
        if re.match(r"\s*lead\s*[:\-–]", text, re.I):
            return self._new_lead(text, s, ctx, 0.05)
        if (
            has("schedule")
            and (s.when.day or s.when.at)
            and re.search(r"(?<!\S)(?:call|visit|con-call|zoom)(?!\S)", s.ns)
        ):
            return self._with_company(Intent.SCHEDULE_MEETING, s, ctx, 0.2, None)
        if info:
            return self._with_company(Intent.LEAD_INFO, s, ctx, 0.05, cues.INFO_CUES)
        if (_RX_LEADS_ONLY.search(s.ns) and (has("listing") or len(s.tokens) <= 2)) or _RX_MY_LEAD_SINGULAR.match(text):
            return _Draft(Intent.LIST_LEADS, 0.9 - s.typo_penalty)
        if has("activity") or has("activity_implicit") or cues.ACTIVITY_CUES.search(text) or s.meeting_kw:
            return self._with_company(Intent.ADD_ACTIVITY, s, ctx, 0.05, None)
        if has("help") or text.strip() == "?":
            return _Draft(Intent.HELP, 0.95)
        if all(t.is_stop or t.norm in lx.CHITCHAT_WORDS for t in s.tokens):
            return _Draft(Intent.UNKNOWN, 0.95 if s.tokens else 0.9)
        return _Draft(Intent.UNKNOWN, 0.3)

    def _meeting(self, s: _Signals, ctx: ParseContext) -> _Draft | None:
        """Schedule, reschedule or done, for a meeting or a demo; None when the words are no meeting command."""
        has = s.has
        first_demo = _RX["demo"].search(s.ns_meeting)
        first_meeting = _RX["meeting"].search(s.ns_meeting)
        kind_demo = first_demo is not None and (first_meeting is None or first_demo.start() < first_meeting.start())
        timed = s.when.day is not None or s.when.at is not None
        if _RX_PLURAL_MEETINGS.search(s.ns) and has("listing") and not has("schedule"):
            return self._list_tasks(s.when)
        if _RX_CANCEL.search(s.ns) and not _RE_NOT_CANCEL.search(s.text):
            return _Draft(Intent.UNKNOWN, 0.4)  # cancelling is no command of the contract: GPT or a question
        today, _ = local_today(ctx.now, ctx.tz)
        ahead = s.when.at is not None or (s.when.day is not None and s.when.day > today)
        if s.another and not ahead and not has("done"):
            return None  # "need another meeting": a wish in a report, not a booking
        bare = not timed and not has("schedule") and not has("done") and not has("reschedule")
        explicit_done = has("done") and not has("schedule") and not has("reschedule")
        done = (has("done") or cues.DONE_CUES.search(s.meeting_text) is not None) and not has("schedule")
        if has("reschedule") and timed and not explicit_done:
            intent = Intent.RESCHEDULE_DEMO if kind_demo else Intent.RESCHEDULE_MEETING
        elif explicit_done or (done and not (timed and _future_only(s))):
            intent = Intent.DEMO_DONE if kind_demo else Intent.MEETING_DONE
        elif timed or has("schedule") or (bare and not cues.DONE_CUES.search(s.meeting_text)):
            # A meeting named with no time and no verb ("meeting with acme") is most likely one to book: unsure.
            intent = Intent.SCHEDULE_DEMO if kind_demo else Intent.SCHEDULE_MEETING
        else:
            return None
        return self._with_company(intent, s, ctx, 0.0 if timed or done else 0.15, None)

    # -- intents with a company ---------------------------------------------------------------------------

    def _with_company(
        self, intent: Intent, s: _Signals, ctx: ParseContext, penalty: float, cue: re.Pattern[str] | None
    ) -> _Draft:
        scheduled = intent in WHEN_INTENTS
        spans = list(s.when.spans) if scheduled else []
        spans += s.trap_spans
        assignee = None
        if scheduled and s.owners:
            assignee = s.owners[-1].value
            spans += [(o.start, o.end) for o in s.owners]
        if cue is not None:
            spans += [m.span() for m in cue.finditer(s.text)]
        spans += [m.span() for m in cues.ACTIVITY_CUES.finditer(s.text)] if intent in NOTE_INTENTS else []
        masked = mask(s.text, spans)
        mtoks = mask_tokens(s.tokens, spans)
        pick = pick_company(s.text, masked, ctx, mtoks)
        company = name_text(s.text, pick.start, pick.end) if pick else None
        note = None
        if intent in NOTE_INTENTS:
            # The note keeps the cue words ("went with a competitor"); only the company and the edges go, and the
            # outcome's own words ("PO aa gaya", "not interested").
            start, end = (pick.start, pick.end) if pick else (0, 0)
            source = s.text
            outcome = {Intent.MARK_WON: cues.WON_CUES, Intent.MARK_LOST: cues.LOST_OUTCOME}.get(intent)
            if outcome is not None:
                source = mask(s.text, [m.span() for m in outcome.finditer(s.text)])
            note = note_around(source, start, end, NOTE_SKIP)
            note = (re.sub(r"\s+", " ", note.replace(MASK, " ")).strip(" ,") or None) if note else None
        if scheduled and assignee is None:
            assignee = _trailing_member(masked, mtoks, ctx, company)
        draft = _Draft(intent, 0.9 - penalty - s.typo_penalty, {"company": company, "note": note, "assignee": assignee})
        draft.how = pick.how if pick else None
        if scheduled:
            today, now_time = local_today(ctx.now, ctx.tz)
            draft.fields["when"] = s.when.iso(ctx.tz, today, now_time)
            if not draft.fields["when"]:
                draft.confidence -= 0.2
            if s.when.rolled:  # "29 Nov" written on 30 Nov: read as next year's by the contract, asked about
                draft.rejected["when"] = s.when.rolled
        if company is None:
            draft.confidence = min(draft.confidence, 0.45)
        elif pick is not None and pick.how in ("plain",):
            draft.confidence -= 0.15
        elif pick is not None and pick.how == "known":
            draft.confidence += 0.05
        return draft

    def _reassign(self, s: _Signals, ctx: ParseContext, penalty: float) -> _Draft:
        spans: list[tuple[int, int]] = [(o.start, o.end) for o in s.owners]
        assignee = s.owners[-1].value if s.owners else None
        if assignee is None:
            tos = [m for m in RE_TO_NAME.finditer(s.text) if clean_name(m.group(1), 2)]
            if tos:
                assignee = clean_name(tos[-1].group(1), 2)
                spans.append(tos[-1].span())
        spans += [m.span() for m in RE_FROM_NAME.finditer(s.text)]
        spans += [m.span() for m in RE_EARLIER.finditer(s.text)]
        masked = mask(s.text, spans)
        pick = pick_company(s.text, masked, ctx, mask_tokens(s.tokens, spans))
        company = name_text(s.text, pick.start, pick.end) if pick else None
        conf = 0.9 - penalty - s.typo_penalty
        if company is None or assignee is None:
            conf = min(conf, 0.45)
        return _Draft(Intent.REASSIGN_LEAD, conf, {"company": company, "assignee": assignee})

    def _list_tasks(self, when: When) -> _Draft:
        day = when.day.isoformat() if when.day else None
        return _Draft(Intent.LIST_TASKS, 0.9, {"when": day})

    def _lead_details(self, text: str, first_label: int, details: dict[str, str], ctx: ParseContext) -> _Draft:
        company = None
        if first_label > 0:
            prefix = text[:first_label]
            pick = pick_company(prefix, prefix, ctx)
            company = strip_edges(prefix[pick.start : pick.end]) if pick else None
        conf = 0.9 if len(details) >= 2 else 0.8
        return _Draft(Intent.LEAD_DETAILS, conf, {"company": company}, details)

    # -- new lead ---------------------------------------------------------------------------------------------

    def _new_lead(self, text: str, s: _Signals, ctx: ParseContext, penalty: float) -> _Draft:
        skip = [m.span() for m in _NEW_LEAD_WORDS.finditer(text)]
        found = detail_spans(text)
        details = {d.field: d.value for d in found}
        skip += [(d.start, d.end) for d in found]
        lead = read_new_lead(text, ctx.team_names, self.region, skip)
        f = lead.values
        if f.get("company"):
            conf = 0.92 if (f.get("contact_name") or f.get("phone") or f.get("email")) else 0.78
        else:
            conf = 0.5
        conf -= 0.08 * lead.leftover + (0.1 if lead.positional else 0.0)
        draft = _Draft(Intent.NEW_LEAD, conf - penalty - s.typo_penalty, dict(f), details if details else {})
        draft.rejected = dict(lead.rejected)
        draft.positional = lead.positional
        draft.how = "business" if f.get("company") and not lead.positional else ("plain" if f.get("company") else None)
        return draft


# -- helpers ----------------------------------------------------------------------------------------------------


def _normalise(text: str) -> str:
    # Zero-width joiners stay (emoji and some Devanagari conjuncts need them); bidirectional controls never do.
    text = _RE_INVISIBLE.sub("", unicodedata.normalize("NFC", text or ""))
    text = re.sub(r"[ \t\u00a0]+", " ", text)
    # Voice typing: "full stop" and "comma" spoken as words, digits spoken one by one.
    text = _RE_SPOKEN_STOP.sub(".", text)
    text = _RE_SPOKEN_COMMA.sub(",", text)
    text = _RE_SPOKEN_NUMBER.sub(_spoken_digits, text)
    return text.strip()


_RE_INVISIBLE = re.compile(r"[\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")
_DIGIT_WORDS = {
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
_DIGIT_ALT = "|".join(_DIGIT_WORDS)
_RE_SPOKEN_NUMBER = re.compile(
    r"(?<![\w])(?:(?:double|triple)\s+)?(?:"
    + _DIGIT_ALT
    + r")(?:\s+(?:(?:double|triple)\s+)?(?:"
    + _DIGIT_ALT
    + r")){6,}"
    r"(?![\w])",
    re.I,
)
_RE_SPOKEN_STOP = re.compile(r"\s+full\s*stop\b[.]?", re.I)
_RE_SPOKEN_COMMA = re.compile(r"\s+comma\b", re.I)


def _spoken_digits(m: re.Match[str]) -> str:
    out: list[str] = []
    repeat = 1
    for word in m.group(0).casefold().split():
        if word in ("double", "triple"):
            repeat = 2 if word == "double" else 3
            continue
        out.append(_DIGIT_WORDS[word] * repeat)
        repeat = 1
    return "".join(out)


_DATE_WORDS = frozenset(
    w.casefold() for w in (*RELATIVE, *WEEKDAYS, *MONTHS, "am", "pm", "baje", "bje", "बजे", "at", "on", "by")
)


def reading_features(text: str, command: Command, base: float, head: _Draft, s: _Signals) -> dict[str, float]:
    """The features the confidence model reads for one message's reading."""
    taken: set[str] = set()
    for cmd in command.commands():
        values = [v for k, v in cmd.model_dump().items() if isinstance(v, str) and k != "intent"]
        values += list(cmd.details.given().values()) if cmd.details else []
        for value in values:
            taken.update(w.casefold() for w in _RE_WORDS.findall(value))
    content = [
        t
        for t in s.tokens
        if not t.is_stop
        and t.norm not in lx.CHITCHAT_WORDS
        and not t.text[:1].isdigit()
        and t.text.casefold() not in _DATE_WORDS
        and t.text != MASK
        and len(t.text) > 1
    ]
    uncovered = sum(1 for t in content if t.text.casefold() not in taken and t.norm not in _LABEL_WORDS)
    groups = sum(
        1
        for present in (
            s.has("new_lead"),
            s.has("reassign") or bool(s.owners),
            s.has("qualify"),
            s.has("tasks"),
            s.has("activity") or cues.ACTIVITY_CUES.search(text) is not None,
            s.meeting_kw,
            s.has("done"),
            s.has("schedule"),
            s.has("reschedule"),
            cues.WON_CUES.search(text) is not None,
            cues.LOST_CUES.search(text) is not None,
            cues.INFO_CUES.search(text) is not None,
            s.contact_info,
        )
        if present
    )
    explicit = {
        Intent.NEW_LEAD: s.has("new_lead"),
        Intent.REASSIGN_LEAD: s.has("reassign"),
        Intent.ADD_ACTIVITY: s.has("activity"),
        Intent.MARK_WON: s.has("won"),
        Intent.MARK_LOST: s.has("lost"),
        Intent.QUALIFY_LEAD: s.has("qualify"),
        Intent.SCHEDULE_MEETING: s.has("schedule"),
        Intent.SCHEDULE_DEMO: s.has("schedule"),
        Intent.RESCHEDULE_MEETING: s.has("reschedule"),
        Intent.RESCHEDULE_DEMO: s.has("reschedule"),
        Intent.MEETING_DONE: s.has("done"),
        Intent.DEMO_DONE: s.has("done"),
        Intent.LIST_TASKS: s.has("tasks"),
        Intent.HELP: s.has("help"),
        # Qualification details are explicit when every one of them carries its label ("Turnover: 5 crore").
        Intent.LEAD_DETAILS: bool(command.details) and all(d.labelled for d in detail_spans(text)),
    }.get(command.intent, False)
    return features(
        text,
        command,
        explicit=explicit,
        second_opinion=opinion(text, command.intent.value),
        base=base,
        how=head.how,
        cue_groups=groups,
        uncovered=uncovered,
        content=len(content),
        positional=head.positional,
        typos=sum(1 for t in s.tokens if t.norm != t.text.casefold().rstrip(".")),
    )


_RE_WORDS = re.compile(r"[\w\u0900-\u097F]+")
# Label words ("Turnover:", "Contact-", "Mob") are accounted for by the field they introduce.
_LABEL_WORDS = frozenset(
    w.casefold()
    for label in (*(x for labels in DETAIL_LABELS.values() for x in labels), *LEAD_LABELS)
    for w in _RE_WORDS.findall(label)
)


def _only_a_company(prefix: str, ctx: ParseContext) -> bool:
    """Whether the words before the details are just the company they are about ("Rajdhani Sweets - address …")."""
    pick = pick_company(prefix, prefix, ctx)
    if pick is None or pick.how not in ("business", "known", "marked"):
        return False
    rest = prefix[: pick.start] + " " + prefix[pick.end :]
    return all(t.is_stop or t.text == MASK for t in tokenize(rest))


def _trailing_member(masked: str, tokens: list[Token], ctx: ParseContext, company: str | None) -> str | None:
    """`…, Neha` at the end of a scheduling message: a team member standing alone names who attends."""
    segs = segments(masked)
    if len(segs) >= 2:
        toks = [t for t in tokens if t.start >= segs[-1].start and t.text != MASK]
        if len(toks) != 1:
            return None
        word = toks[0]
        # Without the team's names, a capitalised name standing alone is taken (validation checks it in the app).
        alone = team_member(word.text, ctx.team_names) is not None if ctx.team_names else word.looks_named
        alone = alone and not word.is_stop and not word.text[:1].isdigit()
        if alone and (company is None or toks[0].text.casefold() not in company.casefold()):
            return toks[0].text
    content = [t for t in tokens if t.text != MASK]
    # "… tomorrow 4pm Amit": a team member's name as the very last word.
    last = content[-1] if content else None
    if last is not None and ctx.team_names and team_member(last.text, ctx.team_names) is not None:
        return last.text if company is None or last.text.casefold() not in company.casefold() else None
    return None


def _follow_on(tail: _Draft, explicit: bool, tail_text: str) -> bool:
    """Whether a second part reads as a command of its own that may follow another in one message."""
    if tail.intent in WHEN_INTENTS:
        return bool(tail.fields.get("when")) and bool(_RX_MEETING_WORD.search(tail_text))
    if tail.intent is Intent.REASSIGN_LEAD:
        return bool(tail.fields.get("assignee")) and (explicit or bool(_RX["reassign"].search(tail_text.casefold())))
    if tail.intent in (Intent.MARK_WON, Intent.MARK_LOST, Intent.QUALIFY_LEAD):
        return explicit or (tail.how in ("business", "known") and tail.confidence >= 0.7)
    return explicit and tail.intent is Intent.ADD_ACTIVITY and bool(tail.fields.get("note"))


_FOLLOW_ON_CONFIDENCE = 0.85
_RE_HOW_TO = re.compile(
    r"^\W*(?:how\s+(?:do|can|to|does|should)|kaise|कैसे|what\s+can\s+(?:you|the\s+bot)|bot\s+kya)\b", re.I
)
# Words without which a part of a message cannot be a further command of its own.
_RE_FOLLOW_ON_HINT = re.compile(
    r"(?<![\w\u0900-\u097F])(?:also|plus|saath|then|phir|fir|meeting|mtg|mtng|meet|demo|call|visit|appointment|"
    r"reassign|assign|transfer|handover|de\s*do|qualif\w*|won|lost|closed|final|order|po|drop|"
    r"डेमो|मीटिंग|साथ|फिर|असाइन|क्वालिफाई|लॉस्ट|फाइनल|ऑर्डर|दे\s*दो)(?![\w\u0900-\u097F])",
    re.I,
)
_RE_NOT_CANCEL = re.compile(r"cancel\w*\s+(?:nahi|nhi|mat|not|नहीं|मत)|(?:don'?t|do\s+not|mat)\s+cancel", re.I)
_RE_CLAUSE = re.compile(r"[,;.!?|।]|\s[-–—]\s")


def _won(text: str, keyword: bool) -> bool:
    """A win said as done: a win phrase whose own clause has no "expected", "will", "kab"… ("PO expected next week")."""
    spans = [m.span() for m in cues.WON_CUES.finditer(text)]
    if not spans and keyword:
        spans = [(0, len(text))]
    bounds = [0, *(m.end() for m in _RE_CLAUSE.finditer(text)), len(text)]
    for start, end in spans:
        left = max(b for b in bounds if b <= start)
        right = min((b for b in bounds if b >= end), default=len(text))
        if not cues.NOT_YET.search(text[left:right]):
            return True
    return False


_HEAD_INTENTS = frozenset(
    {Intent.NEW_LEAD, Intent.MEETING_DONE, Intent.DEMO_DONE, Intent.ADD_ACTIVITY, Intent.MARK_WON, Intent.MARK_LOST,
     Intent.QUALIFY_LEAD, Intent.SCHEDULE_MEETING, Intent.SCHEDULE_DEMO, Intent.RESCHEDULE_MEETING,
     Intent.RESCHEDULE_DEMO, Intent.LEAD_DETAILS, Intent.REASSIGN_LEAD}
)  # fmt: skip
_RE_EXPLICIT = re.compile(r"also|plus|saath|साथ|then|phir|fir|फिर", re.I)
_RE_PART_SEP = re.compile(
    r"\s*(?:[,;.!|]|—|\s-\s|\s/\s)\s*(?:(?:aur|and|और|ab|अब)\s+)?|\s+(?:aur|and|और|ab|अब)\s+"
    r"|\s+[^\w\s\u0900-\u097F]{1,4}\s+"
)
_RX_MEETING_WORD = re.compile(
    r"(?<![\w\u0900-\u097F])(?:meeting|mtg|meet|demo|डेमो|मीटिंग|call|visit|appointment)(?![\w\u0900-\u097F])", re.I
)


def _future_only(s: _Signals) -> bool:
    """A day ahead and no word of something already done in the past tense."""
    today, _ = local_today(s.ctx.now, s.ctx.tz)
    return s.when.day is not None and s.when.day > today


@dataclass
class _Signals:
    """What a message shows before any intent is chosen: words, dates, owners, contact details, traps."""

    text: str
    ctx: ParseContext
    tokens: list[Token]
    ns: str
    padded: str
    ns_words: frozenset[str]
    when: When
    typo_penalty: float
    owners: list[Found]
    source: bool
    contact_info: bool
    meeting_kw: bool
    meeting_text: str
    ns_meeting: str
    another: bool
    trap_spans: list[tuple[int, int]]
    question: bool
    found: dict[str, bool] = field(default_factory=dict)  # keyword groups already looked up in the whole message

    @property
    def first(self) -> str:
        return " ".join(t.norm for t in self.tokens[:4])

    def has(self, name: str, s: str | None = None) -> bool:
        if s is None:
            known = self.found.get(name)
            if known is None:
                known = self.found[name] = _KW[name].found(self.padded, self.ns_words)
            return known
        return _KW[name].found(" " + s + " ", frozenset(s.split()))

    @classmethod
    def read(cls, text: str, ctx: ParseContext, region: str) -> _Signals:
        today, _ = local_today(ctx.now, ctx.tz)
        tokens = tokenize(text)
        words = {t.norm for t in tokens} | {t.text.casefold().rstrip(".") for t in tokens}
        words |= {w.split("'")[0].split("’")[0] for w in words}
        if "@" in text:
            words.add("@")
        when = find_when(text, today, words)
        titled = titled_names(text)
        kw_tokens = mask_tokens(tokens, titled)
        ns = " ".join(t.norm for t in kw_tokens)
        typo = 0.05 if any(t.norm != t.text.casefold().rstrip(".") for t in tokens) else 0.0
        traps = [m.span() for m in cues.MEETING_TRAPS.finditer(text)]
        another = cues.ANOTHER_MEETING.search(text) is not None
        meeting_text = mask(text, traps + titled)
        ns_meeting = " ".join(t.norm for t in mask_tokens(tokens, traps + titled))
        meeting_kw = bool(_RX["meeting"].search(ns_meeting) or _RX["demo"].search(ns_meeting))
        contact = bool(find_emails(text) or find_phones(text, region) or broken_phone(text, []))
        return cls(
            text=text,
            ctx=ctx,
            tokens=tokens,
            ns=ns,
            padded=" " + ns + " ",
            ns_words=frozenset(ns.split()),
            when=when,
            typo_penalty=typo,
            owners=find_owners(text, ctx.team_names),
            source=find_source(text) is not None,
            contact_info=contact,
            meeting_kw=meeting_kw,
            meeting_text=meeting_text,
            ns_meeting=ns_meeting,
            another=another,
            trap_spans=traps,
            question=cues.QUESTION.search(text) is not None,
        )
