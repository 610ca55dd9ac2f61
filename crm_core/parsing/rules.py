"""The built-in parser: no network, no key. Grammar for English, Hinglish and Hindi command messages."""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field

from crm_core.commands import Command, Intent, ParseResult
from crm_core.parsing import lexicon as lx
from crm_core.parsing.dates import When, find_when, local_today
from crm_core.parsing.details import find_details
from crm_core.parsing.extract import (
    MASK,
    Run,
    Token,
    clean_name,
    content_runs,
    find_emails,
    find_phones,
    mask,
    mask_tokens,
    segments,
    split_named_prefix,
    strip_edges,
    tokenize,
)
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
_RX_LEADS_ONLY = lx.words_rx("leads", "pipeline", "लीड्स", "lead list")
# "मेरे लीड दिखाओ", "mere lead dikhao": Hindi often keeps the singular for "my leads".
_RX_MY_LEAD_SINGULAR = re.compile(
    r"^\s*(?:(?:show|list|see)\s+)?(?:my|mere|meri|मेरे|मेरी|सारे|sab)\s+(?:lead|लीड)\s*"
    r"(?:dikhao|dikha\s*do|batao|bata\s*do|दिखाओ|दिखा\s*दो|बताओ|बता\s*दो)?\s*[?.!।]*\s*$",
    re.IGNORECASE,
)

_NAME = r"([\w\u0900-\u097F][\w\u0900-\u097F'’.]*(?:\s+[\w\u0900-\u097F][\w\u0900-\u097F'’.]*)?)"
_WORD = r"([\w\u0900-\u097F]+)"
RE_ASSIGN_TO = re.compile(
    lx.WL + r"(?:re-?)?assign(?:ed)?(?:\s+(?:it|this|lead|him|her|the\s+lead|this\s+lead))?\s+to\s+" + _NAME, re.I
)
RE_ASSIGN_BARE = re.compile(
    lx.WL + r"(?:assign(?:ed)?|owner|assignee|असाइन)\s*[:\-]?\s*(?!to\b)(?!karo\b|kar\b|करो)" + _NAME, re.I
)
RE_KO_ASSIGN = re.compile(
    lx.WL + _WORD + r"\s+(?:ko|को)\s+(?:assign|असाइन|de\b|dedo|dena|दे|दो|सौंप|transfer|ट्रांसफर|handover|hand\s+over)",
    re.I,
)
RE_TO_NAME = re.compile(lx.WL + r"(?:to|ko)\s+" + _NAME, re.I)
RE_FROM_NAME = re.compile(lx.WL + r"from\s+" + _WORD + r"(?=\s+to\b)", re.I)

_CONTACT_LABELS = (
    "contact person name", "contact person", "contact name", "contact", "cp", "person", "naam", "name",
    "संपर्क व्यक्ति", "संपर्क", "नाम", "कॉन्टैक्ट",
)  # fmt: skip
_PHONE_LABELS = (
    "phone",
    "ph",
    "mobile",
    "mob",
    "mob no",
    "number",
    "contact no",
    "contact number",
    "फोन",
    "नंबर",
    "मोबाइल",
)
_EMAIL_LABELS = ("email", "e-mail", "mail", "email id", "ईमेल")
_SOURCE_LABELS = ("lead source", "source", "src", "via", "through", "स्रोत", "सोर्स")
_ASSIGN_LABELS = (
    "assign it to", "assign to", "assigned to", "assign", "assigned", "owner", "assignee", "असाइन करो", "असाइन",
)  # fmt: skip
_COMPANY_LABELS = ("company name", "company", "firm", "business", "कंपनी", "from", "lead from")
_LABEL_KIND = {
    **{x: "contact" for x in _CONTACT_LABELS},
    **{x: "phone" for x in _PHONE_LABELS},
    **{x: "email" for x in _EMAIL_LABELS},
    **{x: "source" for x in _SOURCE_LABELS},
    **{x: "assign" for x in _ASSIGN_LABELS},
    **{x: "company" for x in _COMPANY_LABELS},
}
_LABEL_ALT = "|".join(re.escape(x) for x in sorted(_LABEL_KIND, key=len, reverse=True))
RE_LEAD_LABEL = re.compile(lx.WL + r"(" + _LABEL_ALT + r")" + lx.WR + r"(?:\s*(?:[:=\-–]|\bis\b|\bhai\b|है)\s*)*", re.I)
RE_SOURCE_WORDS = re.compile(
    r"^(?:" + "|".join(re.escape(s) for s in sorted(lx.SOURCES, key=len, reverse=True)) + r")" + lx.WR, re.I
)
RE_SE_SUFFIX = re.compile(r"\s+(?:se|से)\s*$", re.I)

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


class RuleParser:
    """The built-in parser: intent from command words, fields from labels, separators and position."""

    def __init__(self, region: str = "IN") -> None:
        self.region = region

    def parse(self, text: str, ctx: ParseContext) -> ParseResult:
        """Parse one message into a command with a confidence in [0, 1]."""
        draft = self._parse(_normalise(text), ctx)
        data: dict[str, object] = {k: v for k, v in draft.fields.items() if v}
        data["intent"] = draft.intent
        if draft.details:
            data["details"] = draft.details
        command, dropped = safe_command(data)
        confidence = draft.confidence - 0.3 * dropped
        if command is None:  # cannot happen with the rules' own intents; kept as a guard
            command, confidence = Command(intent=Intent.UNKNOWN), 0.0
        checked = check_command(command, ctx)
        if checked.doubts:
            confidence = min(confidence, DOUBTFUL)
        return ParseResult(confidence=round(max(0.0, min(1.0, confidence)), 3), source="rules", **checked.update())

    # -- intent ---------------------------------------------------------------------------------------------

    def _parse(self, text: str, ctx: ParseContext) -> _Draft:
        if not text:
            return _Draft(Intent.UNKNOWN, 1.0)
        if lx.INJECTION.search(text):
            return _Draft(Intent.UNKNOWN, 0.9)
        today, _ = local_today(ctx.now, ctx.tz)
        tokens = tokenize(text)
        words = {t.norm for t in tokens} | {t.text.casefold().rstrip(".") for t in tokens}
        words |= {w.split("'")[0].split("’")[0] for w in words}
        if "@" in text:
            words.add("@")
        when = find_when(text, today, words)
        ns = " ".join(t.norm for t in tokens)
        typo_penalty = 0.05 if any(t.norm != t.text.casefold().rstrip(".") for t in tokens) else 0.0

        padded = " " + ns + " "
        ns_words = frozenset(ns.split())

        def has(name: str, s: str | None = None) -> bool:
            if s is None:
                return _KW[name].found(padded, ns_words)
            return _KW[name].found(" " + s + " ", frozenset(s.split()))

        details, first_label = find_details(text)
        if details and not has("new_lead"):
            prefix = " ".join(t.norm for t in tokens if t.end <= first_label)
            strong = any(has(k, prefix) for k in ("activity", "meeting", "demo", "qualify", "won", "lost", "new_lead"))
            if not strong and (first_label == 0 or len(details) >= 2):
                return self._lead_details(text, first_label, details, ctx)
        first = " ".join(t.norm for t in tokens[:4])
        if has("reassign") and not has("new_lead"):
            return self._reassign(text, when, ctx, typo_penalty, tokens)
        if has("new_lead"):
            return self._new_lead(text, ctx, typo_penalty)
        if has("qualify") and not has("disqualify"):
            return self._with_company(Intent.QUALIFY_LEAD, text, when, ctx, typo_penalty, tokens)
        if has("tasks"):
            return self._list_tasks(when)
        if has("activity", first):
            return self._with_company(Intent.ADD_ACTIVITY, text, when, ctx, typo_penalty, tokens)
        if has("meeting") or has("demo"):
            first_demo = _RX["demo"].search(ns)
            first_meeting = _RX["meeting"].search(ns)
            kind_demo = first_demo is not None and (first_meeting is None or first_demo.start() < first_meeting.start())
            if _RX_PLURAL_MEETINGS.search(ns) and has("listing") and not has("schedule"):
                return self._list_tasks(when)
            if _RX_CANCEL.search(ns):
                return _Draft(Intent.UNKNOWN, 0.4)  # cancelling is no command of the contract: GPT or help
            if has("reschedule"):
                intent = Intent.RESCHEDULE_DEMO if kind_demo else Intent.RESCHEDULE_MEETING
            elif has("done") and not has("schedule"):
                intent = Intent.DEMO_DONE if kind_demo else Intent.MEETING_DONE
            else:
                intent = Intent.SCHEDULE_DEMO if kind_demo else Intent.SCHEDULE_MEETING
            return self._with_company(intent, text, when, ctx, typo_penalty, tokens)
        if has("lost") or has("disqualify"):
            return self._with_company(Intent.MARK_LOST, text, when, ctx, typo_penalty, tokens)
        if has("won"):
            return self._with_company(Intent.MARK_WON, text, when, ctx, typo_penalty + 0.05, tokens)
        if re.match(r"\s*lead\s*[:\-–]", text, re.I) or (
            re.search(r"(?<!\S)assign(?!\S)", ns) and (find_emails(text) or find_phones(text, self.region))
        ):
            return self._new_lead(text, ctx, typo_penalty + 0.05)
        if has("schedule") and (when.day or when.at) and re.search(r"(?<!\S)(?:call|visit|con-call|zoom)(?!\S)", ns):
            return self._with_company(Intent.SCHEDULE_MEETING, text, when, ctx, typo_penalty + 0.2, tokens)
        if RE_KO_ASSIGN.search(text) or re.search(r"(?<!\S)assign(?!\S)", ns):
            return self._reassign(text, when, ctx, typo_penalty + 0.05, tokens)
        if has("info"):
            return self._with_company(Intent.LEAD_INFO, text, when, ctx, typo_penalty, tokens)
        if (_RX_LEADS_ONLY.search(ns) and (has("listing") or len(tokens) <= 2)) or _RX_MY_LEAD_SINGULAR.match(text):
            return _Draft(Intent.LIST_LEADS, 0.9 - typo_penalty)
        if has("activity") or has("activity_implicit"):
            # A dated follow-up may be a plan rather than a record: let GPT decide when it is configured.
            extra = 0.25 if (when.day or when.at) else 0.1
            return self._with_company(Intent.ADD_ACTIVITY, text, when, ctx, typo_penalty + extra, tokens)
        if has("help") or text.strip() == "?":
            return _Draft(Intent.HELP, 0.95)
        if all(t.is_stop or t.norm in lx.CHITCHAT_WORDS for t in tokens):
            return _Draft(Intent.UNKNOWN, 0.95 if tokens else 0.9)
        return _Draft(Intent.UNKNOWN, 0.3)

    # -- intents with a company ---------------------------------------------------------------------------

    def _with_company(
        self, intent: Intent, text: str, when: When, ctx: ParseContext, penalty: float, tokens: list[Token]
    ) -> _Draft:
        spans = list(when.spans) if intent in WHEN_INTENTS else []
        assignee = None
        if intent in WHEN_INTENTS:
            assignee, a_spans = _assignee(text, ctx)
            spans += a_spans
        masked = mask(text, spans)
        mtoks = mask_tokens(tokens, spans)
        company, note = _company(text, masked, ctx, intent in NOTE_INTENTS, _OWN_WORDS.get(intent, ()), mtoks)
        if intent in WHEN_INTENTS and assignee is None:
            assignee = _trailing_name(masked, ctx, company, mtoks)
        draft = _Draft(intent, 0.9 - penalty, {"company": company, "note": note, "assignee": assignee})
        if intent in WHEN_INTENTS:
            today, now_time = local_today(ctx.now, ctx.tz)
            draft.fields["when"] = when.iso(ctx.tz, today, now_time)
            if not draft.fields["when"]:
                draft.confidence -= 0.2
        if company is None:
            draft.confidence = min(draft.confidence, 0.45)
        else:
            draft.confidence += _known_bonus(company, ctx)
        if assignee and ctx.team_names and not _is_team_member(assignee, ctx):
            draft.confidence -= 0.1
        return draft

    def _reassign(self, text: str, when: When, ctx: ParseContext, penalty: float, tokens: list[Token]) -> _Draft:
        spans: list[tuple[int, int]] = []
        assignee = None
        ko = [m for m in RE_KO_ASSIGN.finditer(text) if m.group(1).casefold() not in lx.STOP]
        if ko:
            assignee = clean_name(ko[-1].group(1), 1)
            spans.append(ko[-1].span())
        else:
            tos = [m for m in RE_TO_NAME.finditer(text) if clean_name(m.group(1), 2)]
            if tos:
                assignee = clean_name(tos[-1].group(1), 2)
                spans.append(tos[-1].span())
        spans += [m.span() for m in RE_FROM_NAME.finditer(text)]
        company, _ = _company(text, mask(text, spans), ctx, False, (), mask_tokens(tokens, spans))
        conf = 0.9 - penalty
        if company is None or assignee is None:
            conf = min(conf, 0.45)
        else:
            conf += _known_bonus(company, ctx)
        if assignee and ctx.team_names:
            conf += 0.03 if _is_team_member(assignee, ctx) else -0.15
        return _Draft(Intent.REASSIGN_LEAD, conf, {"company": company, "assignee": assignee})

    def _list_tasks(self, when: When) -> _Draft:
        day = when.day.isoformat() if when.day else None
        return _Draft(Intent.LIST_TASKS, 0.9, {"when": day})

    def _lead_details(self, text: str, first_label: int, details: dict[str, str], ctx: ParseContext) -> _Draft:
        company = None
        if first_label > 0:
            prefix = text[:first_label]
            company, _ = _company(prefix, prefix, ctx, False, ())
        conf = 0.9 if len(details) >= 2 else 0.8
        return _Draft(Intent.LEAD_DETAILS, conf, {"company": company}, details)

    # -- new lead ---------------------------------------------------------------------------------------------

    def _new_lead(self, text: str, ctx: ParseContext, penalty: float) -> _Draft:
        f: dict[str, str | None] = {}
        spans: list[tuple[int, int]] = []
        emails = find_emails(text)
        if emails:
            f["email"] = emails[0].group(0)
            spans += [m.span() for m in emails]
        masked = mask(text, spans)
        phones = find_phones(masked, self.region)
        if phones:
            f["phone"] = phones[0][0]
            spans += [s for _, s in phones]
        masked = mask(text, spans)
        positional: dict[str, bool] = {}
        mtoks = tokenize(masked)
        for piece in _lead_pieces(masked):
            _classify_piece(text, masked, piece, f, positional, mtoks)
        if not f.get("assignee"):
            f["assignee"] = _team_name_in(masked, ctx, f, mtoks)
        if f.get("company"):
            conf = 0.92 if (f.get("contact_name") or f.get("phone") or f.get("email")) else 0.78
        else:
            conf = 0.5
        return _Draft(Intent.NEW_LEAD, conf - penalty, f)


# -- helpers ----------------------------------------------------------------------------------------------------


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "").replace("\u200b", "").replace("\u200d", "").replace("\u200c", "")
    text = re.sub(r"[ \t\u00a0]+", " ", text)
    return text.strip()


def _known_bonus(company: str, ctx: ParseContext) -> float:
    folded = company.casefold()
    return 0.05 if any(lead.casefold() == folded for lead in ctx.recent_leads) else 0.0


def _is_team_member(name: str, ctx: ParseContext) -> bool:
    first = name.casefold().split()[0]
    return any(first in member.casefold().split() for member in ctx.team_names)


def _recent_lead_in(text: str, ctx: ParseContext) -> tuple[int, int] | None:
    folded = text.casefold()
    best: tuple[int, int] | None = None
    for lead in ctx.recent_leads:
        name = lead.casefold().strip()
        if len(name) < 3:
            continue
        i = folded.find(name)
        while i >= 0:
            end = i + len(name)
            before_ok = i == 0 or not folded[i - 1].isalnum()
            after_ok = end == len(folded) or not folded[end].isalnum()
            if before_ok and after_ok and (best is None or end - i > best[1] - best[0]):
                best = (i, end)
                break
            i = folded.find(name, i + 1)
    return best


def _company(
    text: str,
    masked: str,
    ctx: ParseContext,
    want_note: bool,
    own_words: tuple[str, ...],
    tokens: list[Token] | None = None,
) -> tuple[str | None, str | None]:
    """The company (the first named run of non-command words) and, when wanted, the note after it."""
    if tokens is None:
        tokens = tokenize(masked)
    segs = segments(masked)
    known = _recent_lead_in(masked, ctx)
    chosen: Run | None = None
    chosen_seg = -1
    seg_runs: list[list[Run]] = []
    for seg in segs:
        seg_runs.append(content_runs([t for t in tokens if seg.start <= t.start < seg.end]))
    if known is not None:
        toks = tuple(t for t in tokens if known[0] <= t.start < known[1])
        chosen = Run(known[0], known[1], toks)
        chosen_seg = next((i for i, s in enumerate(segs) if s.start <= known[0] < s.end), -1)
    else:
        for want_named in (True, False):
            for i, runs in enumerate(seg_runs):
                for run in runs:
                    if run.named() or not want_named:
                        chosen, chosen_seg = run, i
                        break
                if chosen:
                    break
            if chosen:
                break
    if chosen is None:
        note = _note_from(text, tokens, segs, seg_runs, -1, 0, own_words) if want_note else None
        return None, note
    head, rest = split_named_prefix(chosen) if known is None else (chosen, None)
    company = strip_edges(text[head.start : head.end]) or None
    note = None
    if want_note:
        if rest is not None:
            note = strip_edges(text[rest.start :]) or None
        else:
            note = _note_from(text, tokens, segs, seg_runs, chosen_seg, head.end, own_words)
    return company, note


def _note_from(
    text: str,
    tokens: list[Token],
    segs: list,
    seg_runs: list[list[Run]],
    seg_index: int,
    after: int,
    own_words: tuple[str, ...],
) -> str | None:
    """The free text after the company: a later run in its segment, or the next segment with words."""
    if seg_index >= 0:
        seg = segs[seg_index]
        for tok in tokens:
            if after <= tok.start < seg.end and tok.text != MASK and tok.norm not in NOTE_SKIP:
                return strip_edges(text[tok.start :]) or None
    own = [_RX[w] for w in own_words]
    for i in range(seg_index + 1, len(segs)):
        seg = segs[i]
        toks = [t for t in tokens if seg.start <= t.start < seg.end]
        if not toks or all(t.text == MASK for t in toks):
            continue
        if not seg_runs[i]:
            ns = " ".join(t.norm for t in toks)
            if any(rx.search(ns) for rx in own) or (all(t.is_stop for t in toks) and len(toks) <= 2):
                continue
        return strip_edges(text[seg.start :]) or None
    return None


def _assignee(text: str, ctx: ParseContext) -> tuple[str | None, list[tuple[int, int]]]:
    """The owner named with `assign(ed) to X`, `assign X` or `X ko assign karo`, and the span to hide."""
    for rx in (RE_ASSIGN_TO, RE_KO_ASSIGN, RE_ASSIGN_BARE):
        for m in rx.finditer(text):
            name = clean_name(m.group(1), 1 if rx is RE_KO_ASSIGN else 2)
            if name and name.casefold() not in lx.STOP:
                end = m.end()
                if rx is RE_KO_ASSIGN:
                    tail = re.match(r"(?:\s+(?:karo|kar\s+do|kardo|kar|do|dena|करो|कर\s+दो|दो))*", text[end:])
                    end += tail.end() if tail else 0
                return name, [(m.start(), end)]
    return None, []


def _trailing_name(masked: str, ctx: ParseContext, company: str | None, tokens: list[Token]) -> str | None:
    """`…, Neha` at the end of a scheduling message names the owner; so does a team member's name."""
    segs = segments(masked)
    if len(segs) >= 2:
        toks = [t for t in tokens if t.start >= segs[-1].start and t.text != MASK]
        if 1 <= len(toks) <= 2 and all(not t.is_stop and t.looks_named for t in toks):
            name = " ".join(t.text for t in toks)
            if company is None or name.casefold() not in company.casefold():
                return name
    if ctx.team_names:
        return _team_name_in(masked, ctx, {"company": company}, tokens)
    return None


def _team_name_in(
    masked: str, ctx: ParseContext, f: dict[str, str | None], tokens: list[Token] | None = None
) -> str | None:
    taken = " ".join(v.casefold() for k, v in f.items() if v and k in ("company", "contact_name"))
    for tok in tokens if tokens is not None else tokenize(masked):
        if tok.is_stop or tok.norm in taken:
            continue
        if any(tok.norm == member.casefold().split()[0] for member in ctx.team_names if member.strip()):
            return tok.text
    return None


def _lead_pieces(masked: str) -> list[tuple[int, int]]:
    """Segments of a new-lead message, further split before each label (contact, source, assign…)."""
    pieces: list[tuple[int, int]] = []
    for seg in segments(masked):
        cuts = [seg.start]
        for m in RE_LEAD_LABEL.finditer(masked, seg.start, seg.end):
            if m.start() > seg.start and masked[seg.start : m.start()].strip():
                cuts.append(m.start())
        cuts.append(seg.end)
        pieces += [(a, b) for a, b in itertools.pairwise(cuts) if masked[a:b].strip(" " + MASK)]
    return pieces


def _classify_piece(
    text: str,
    masked: str,
    piece: tuple[int, int],
    f: dict[str, str | None],
    positional: dict[str, bool],
    tokens: list[Token],
) -> None:
    """Put one piece of a new-lead message into its field: by its label, its form, or its position."""
    a, b = piece
    raw = masked[a:b]
    lead = len(raw) - len(raw.lstrip())
    m = RE_LEAD_LABEL.match(raw, lead)
    if m:
        kind = _LABEL_KIND[m.group(1).casefold()]
        rest_start = a + m.end()
        rest_masked = masked[rest_start:b]
        if kind == "contact" and not f.get("contact_name"):
            f["contact_name"] = clean_name(rest_masked, 4)
        elif kind == "source" and not f.get("source"):
            f["source"] = _trim_stop(text, _within(tokens, rest_start, b))
        elif kind == "assign" and not f.get("assignee"):
            f["assignee"] = clean_name(rest_masked, 2)
        elif kind == "company":
            src = RE_SOURCE_WORDS.match(rest_masked.strip())
            if src and not f.get("source"):
                off = len(rest_masked) - len(rest_masked.lstrip())
                f["source"] = text[rest_start + off : rest_start + off + src.end()]
            elif not f.get("company"):
                f["company"] = _run_text(text, _within(tokens, rest_start, b))
            elif positional.get("company") and not f.get("contact_name"):
                # `Rohit Mehra from Acme Pvt Ltd`: the words before `from` were the person.
                f["contact_name"] = clean_name(f["company"] or "", 4)
                f["company"] = _run_text(text, _within(tokens, rest_start, b))
                positional["company"] = False
        return
    ko = RE_KO_ASSIGN.search(raw)
    if ko and ko.group(1).casefold() not in lx.STOP:
        if not f.get("assignee"):
            f["assignee"] = clean_name(ko.group(1), 1)
        return
    stripped = RE_SE_SUFFIX.sub("", raw.strip(" " + MASK)).strip()
    src = RE_SOURCE_WORDS.match(stripped)
    if src and len(stripped) - src.end() <= 1:
        if not f.get("source"):
            off = raw.find(stripped)
            f["source"] = text[a + off : a + off + src.end()]
        return
    value = _run_text(text, _within(tokens, a, b))
    if value is None:
        return
    ends_with_se = bool(RE_SE_SUFFIX.search(raw.rstrip(" " + MASK)))
    if not f.get("company") or (ends_with_se and not f.get("company")):
        f["company"] = value
        positional["company"] = not ends_with_se
    elif not f.get("contact_name"):
        f["contact_name"] = clean_name(value, 4) or value
    elif not f.get("assignee") and len(value.split()) <= 2:
        f["assignee"] = clean_name(value, 2)


def _within(tokens: list[Token], start: int, end: int) -> list[Token]:
    return [t for t in tokens if start <= t.start < end]


def _run_text(text: str, tokens: list[Token]) -> str | None:
    runs = content_runs(tokens)
    if not runs:
        return None
    named = [r for r in runs if r.named()] or runs
    run = named[0]
    return strip_edges(text[run.start : run.end]) or None


def _trim_stop(text: str, tokens: list[Token]) -> str | None:
    toks = [t for t in tokens if t.text != MASK]
    while toks and toks[-1].is_stop:
        toks.pop()
    while toks and toks[0].is_stop and toks[0].norm not in lx.SOURCE_SET:
        toks.pop(0)
    if not toks:
        return None
    return strip_edges(text[toks[0].start : toks[-1].end]) or None
