"""The fields of a new lead, read by evidence rather than position: labels, phrases, word lists, then order."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from crm_core.parsing import lexicon as lx
from crm_core.parsing.company import _trim, is_person, titled_names
from crm_core.parsing.extract import (
    MASK,
    Run,
    Token,
    content_runs,
    find_emails,
    find_phones,
    mask,
    name_text,
    segments,
    strip_edges,
    tokenize,
)
from crm_core.parsing.gazetteer import BUSINESS_WORDS, HONORIFICS_AFTER, HONORIFICS_BEFORE, ROLES
from crm_core.parsing.phrases import Found, find_owners, find_source

_CONTACT_LABELS = (
    "buyer", "buyer name", "customer name", "party name", "client name", "parent", "owner", "proprietor", "prop",
    "contact person name", "contact person", "contact name", "contact", "cp", "person", "naam", "name",
    "contact no", "संपर्क व्यक्ति", "संपर्क", "नाम", "कॉन्टैक्ट", "कांटेक्ट",
)  # fmt: skip
_COMPANY_LABELS = (
    "company name", "company ka naam", "company", "co", "firm", "firm name", "business", "business name", "org",
    "organisation", "organization", "कंपनी", "फर्म", "कंपनी का नाम",
)  # fmt: skip
_SKIP_LABELS = (
    "requirement", "req", "product", "budget", "location", "city", "looking for", "interested in", "need",
    "phone", "ph", "mobile", "mob", "mob no", "mobile no", "number", "no", "contact number", "cell", "whatsapp no",
    "email", "e-mail", "mail", "email id", "lead source", "source", "src", "assign", "assigned to",
    "फोन", "नंबर", "मोबाइल", "ईमेल", "स्रोत", "सोर्स", "landline", "tel",
)  # fmt: skip
_LABEL_KIND = {
    **{x: "contact" for x in _CONTACT_LABELS},
    **{x: "company" for x in _COMPANY_LABELS},
    **{x: "skip" for x in _SKIP_LABELS},
}
LEAD_LABELS = tuple(_LABEL_KIND)
_LABEL_ALT = "|".join(re.escape(x) for x in sorted(_LABEL_KIND, key=len, reverse=True))
RE_LABEL = re.compile(
    lx.WL
    + r"("
    + _LABEL_ALT
    + r")"
    + lx.WR
    + r"(?:\s*(?:[:=\-–]+|\bis\b|\bhai\b|है|का\s+नाम)\s*|\s*(?=[A-Z0-9¤\u0900-\u097F])|\s*$)",
    re.I,
)
RE_FROM = re.compile(lx.WL + r"(?:from|frm)\s+", re.I)
# `company ka naam X hai`: the company's name said in a sentence.
RE_NAME_IS = re.compile(r"(?:company|firm|कंपनी)\s+(?:ka|का)\s+(?:naam|नाम)\s+(.+?)\s*(?:hai|है)" + lx.WR, re.I)
_DIGITS = re.compile(r"(?<![\w/])\+?\d[\d\s\-]{5,16}\d(?![\w/])")


@dataclass
class LeadFields:
    """What a new-lead message gives, with what could not be used."""

    values: dict[str, str | None] = field(default_factory=dict)
    rejected: dict[str, str] = field(default_factory=dict)
    leftover: int = 0  # words that fit no field
    positional: bool = False  # the company was taken by order alone


def broken_phone(text: str, taken: list[tuple[int, int]]) -> str | None:
    """A written number that looks like a phone but is not a valid one (9 or 11 digits…)."""
    for m in _DIGITS.finditer(text):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        digits = re.sub(r"\D", "", m.group(0))
        if 8 <= len(digits) <= 13 and not re.fullmatch(r"\d{1,2}[\-/]\d{1,2}[\-/]\d{2,4}", m.group(0).strip()):
            return m.group(0).strip()
    return None


def read_new_lead(text: str, team: tuple[str, ...], region: str, skip_spans: list[tuple[int, int]]) -> LeadFields:
    """The fields of a new-lead message; `skip_spans` (command words, dates, details) are no field."""
    out = LeadFields()
    f = out.values
    spans = list(skip_spans)
    emails = find_emails(text)
    if emails:
        f["email"] = emails[0].group(0)
        spans += [m.span() for m in emails]
    phones = find_phones(mask(text, spans), region)
    if phones:
        f["phone"] = phones[0][0]
        spans += [s for _, s in phones]
    bad = broken_phone(text, spans)
    if bad and not phones:
        out.rejected["phone"] = bad
    if bad:
        spans.append(_span_of(text, bad))
    source = find_source(text)
    if source is not None:
        f["source"] = source.value
        spans.append((source.start, source.end))
    owners = find_owners(text, team)
    if owners:
        f["assignee"] = owners[-1].value
        spans += [(o.start, o.end) for o in owners]
    named = RE_NAME_IS.search(text)
    if named is not None:
        f["company"] = strip_edges(named.group(1))
        spans.append(named.span())
    else:
        titled = titled_names(mask(text, spans))
        if titled:  # "Lead Star Industries", "Demo Tech Solutions": a name that holds command words stays whole
            start, end = titled[0]
            f["company"] = text[start:end]
            spans.append((start, end))
    masked = mask(text, spans)
    tokens = tokenize(masked)
    runs = _labelled(text, masked, tokens, f)
    _unlabelled(text, runs, f, out, team)
    if not f.get("assignee") and team:
        f["assignee"] = _bare_member(masked, tokens, team, f)
    return out


def _span_of(text: str, value: str) -> tuple[int, int]:
    i = text.find(value)
    return (i, i + len(value)) if i >= 0 else (0, 0)


def _pieces(masked: str) -> list[tuple[int, int]]:
    """Segments, further split before each label."""
    pieces: list[tuple[int, int]] = []
    for seg in segments(masked):
        cuts = [seg.start]
        for m in RE_LABEL.finditer(masked, seg.start, seg.end):
            if m.start() > seg.start and masked[seg.start : m.start()].strip(" " + MASK):
                cuts.append(m.start())
        for m in RE_FROM.finditer(masked, seg.start, seg.end):
            if m.start() > seg.start and masked[seg.start : m.start()].strip(" " + MASK):
                cuts.append(m.start())
        cuts.append(seg.end)
        cuts = sorted(set(cuts))
        pieces += [(a, b) for a, b in itertools.pairwise(cuts) if masked[a:b].strip(" " + MASK)]
    return pieces


@dataclass
class _Piece:
    run: Run
    kind: str | None  # "contact", "company", "from" or None (unlabelled)


def _labelled(text: str, masked: str, tokens: list[Token], f: dict[str, str | None]) -> list[_Piece]:
    """Fill labelled fields; return the unlabelled runs in order."""
    out: list[_Piece] = []
    carried: str | None = None
    for a, b in _pieces(masked):
        raw = masked[a:b]
        lead = len(raw) - len(raw.lstrip(" " + MASK))
        m = RE_LABEL.match(raw, lead)
        kind: str | None = carried
        carried = None
        start = a
        if m is not None:
            kind = _LABEL_KIND[m.group(1).casefold()]
            start = a + m.end()
            if not masked[start:b].strip(" " + MASK):
                carried = kind  # `Co: Nilgiri Tea Traders`: the value is in the next segment
                continue
        else:
            fm = RE_FROM.match(raw, lead)
            if fm is not None:
                kind, start = "from", a + fm.end()
        toks = [t for t in tokens if start <= t.start < b]
        for run in content_runs(toks):
            trimmed = _trim(run)
            if trimmed is not None:
                out.append(_Piece(trimmed, kind))
                kind = None if kind in ("contact", "company") else kind
    return out


def _unlabelled(
    text: str, pieces: list[_Piece], f: dict[str, str | None], out: LeadFields, team: tuple[str, ...]
) -> None:
    """Company and contact from the runs: labels first, then business words and person names, then order."""
    for p in pieces:
        if p.kind == "company" and not f.get("company"):
            f["company"] = _text(text, p.run)
            p.kind = "used"
        elif p.kind == "contact" and not f.get("contact_name"):
            f["contact_name"] = _person(text, p.run)
            p.kind = "used"
    # A team member's name standing alone is the owner (`…, Neha`), never the contact or the company.
    free = [p for p in pieces if p.kind not in ("used", "skip") and not _lone_member(p.run, team)]
    if not f.get("company"):
        business = next((p for p in free if _has_business(p.run)), None)
        if business is None:
            business = next((p for p in free if p.kind == "from" and not is_person(p.run.tokens)), None)
        if business is not None:
            head, tail = _split_company_person(business.run)
            f["company"] = _text(text, head)
            business.kind = "used"
            if tail is not None and not f.get("contact_name"):
                f["contact_name"] = _person(text, tail)
    free = [p for p in free if p.kind != "used"]
    if not f.get("contact_name"):
        person = next((p for p in free if is_person(p.run.tokens)), None)
        if person is not None:
            f["contact_name"] = _person(text, person.run)
            person.kind = "used"
    free = [p for p in free if p.kind != "used"]
    if not f.get("company") and free:
        f["company"] = _text(text, free[0].run)
        free[0].kind = "used"
        out.positional = True
    free = [p for p in free if p.kind != "used"]
    if not f.get("contact_name") and free:
        f["contact_name"] = _person(text, free[0].run)
        free[0].kind = "used"
        out.positional = True
    free = [p for p in free if p.kind != "used"]
    last = free[-1] if free else None
    if (
        not team
        and last is not None
        and last is pieces[-1]
        and len(last.run.tokens) == 1
        and last.run.tokens[0].looks_named
        and not f.get("assignee")
    ):
        # `…, IndiaMART, Priya`: with no team list to check against, a lone name at the end is the owner.
        f["assignee"] = _text(text, last.run)
        last.kind = "used"
    out.leftover = sum(len(p.run.tokens) for p in free if p.kind != "used")


def _lone_member(run: Run, team: tuple[str, ...]) -> bool:
    from crm_core.names import team_member

    return bool(team) and len(run.tokens) == 1 and team_member(run.tokens[0].text, team) is not None


def _has_business(run: Run) -> bool:
    return any(t.text.casefold().rstrip(".") in BUSINESS_WORDS for t in run.tokens)


def _split_company_person(run: Run) -> tuple[Run, Run | None]:
    """`Annapurna Flour Mill Ghanshyam Das` -> the company up to its last business word, and the person after."""
    toks = run.tokens
    last = max((i for i, t in enumerate(toks) if t.text.casefold().rstrip(".") in BUSINESS_WORDS), default=-1)
    tail = toks[last + 1 :]
    devanagari_name = 0 < len(tail) <= 3 and all("\u0900" <= t.text[:1] <= "\u097f" for t in tail)
    if 1 <= last < len(toks) - 1 and (is_person(tail) or devanagari_name):
        head, tail = toks[: last + 1], toks[last + 1 :]
        return Run(head[0].start, head[-1].end, head), Run(tail[0].start, tail[-1].end, tail)
    return run, None


def _text(text: str, run: Run) -> str | None:
    return name_text(text, run.start, run.end) or None


def _person(text: str, run: Run) -> str | None:
    """A person's name without titles, honorifics or roles around it ("Mr. Ramesh Babu (MD)" -> "Ramesh Babu")."""
    toks = [t for t in run.tokens if t.text != MASK]
    while toks and (toks[0].text.casefold().rstrip(".") in HONORIFICS_BEFORE or toks[0].norm in ROLES):
        toks.pop(0)
    while toks and (toks[-1].text.casefold().rstrip(".") in HONORIFICS_AFTER or toks[-1].norm in ROLES):
        toks.pop()
    if not toks:
        return None
    toks = toks[:4]
    return strip_edges(text[toks[0].start : toks[-1].end]) or None


def _bare_member(masked: str, tokens: list[Token], team: tuple[str, ...], f: dict[str, str | None]) -> str | None:
    """A team member's name standing alone (`…, Neha` or at the very end) names the owner."""
    from crm_core.names import team_member

    taken = " ".join((f.get("company") or "", f.get("contact_name") or "")).casefold().split()
    for seg in segments(masked):
        toks = [t for t in tokens if seg.start <= t.start < seg.end and t.text != MASK]
        words = [t for t in toks if t.norm not in ("ko", "को", "ke", "liye", "के", "लिए", "pls", "please")]
        if len(words) == 1 and words[0].text.casefold() not in taken and team_member(words[0].text, team):
            return words[0].text
    content = [t for t in tokens if t.text != MASK]
    if content and content[-1].text.casefold() not in taken and team_member(content[-1].text, team):
        return content[-1].text
    return None


def owner_phrases(text: str, team: tuple[str, ...]) -> list[Found]:
    """Re-exported for the other intents: the owner phrases of a message."""
    return find_owners(text, team)
