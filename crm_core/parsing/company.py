"""Which words of a message name the lead's company, and the free text (the note) around it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from crm_core.parsing import lexicon as lx
from crm_core.parsing.extract import MASK, Run, Token, content_runs, segments, strip_edges, tokenize
from crm_core.parsing.gazetteer import BUSINESS_WORDS, FIRST_NAMES, HONORIFICS_AFTER, HONORIFICS_BEFORE, ROLES
from crm_core.parsing.validate import implausible_company
from crm_core.ports import ParseContext

# Particles after a company ("Sharma Traders *ka* lead", "*ko* bhej diya", "*wale*") or before it ("*for* Acme").
_AFTER = frozenset(
    {"ka", "ki", "ke", "ko", "se", "ne", "wale", "walo", "walon", "wala", "wali", "ka.", "का", "की", "के", "को", "से",
     "ने", "वाले", "वालों", "वाला", "वाली", "mein", "me", "में"}
)  # fmt: skip
_BEFORE = frozenset(
    {"for", "with", "of", "from", "to", "at", "about", "on", "re", "regarding", "w/", "w", "client", "pe", "par"}
)
# Particles before a company that mark it as one ("meeting *with* X"), unlike "to"/"on" which precede anything.
_MARK_BEFORE = frozenset({"for", "with", "of", "from", "re", "regarding", "w"})
# Words that are never the first or last word of a company.
_EDGE_JUNK = frozenset(
    {"fyi", "cust", "customer", "client", "pls", "plz", "please", "kindly", "ok", "okay", "update", "hi", "hello",
     "bhai", "sir", "ji", "boss", "team", "guys", "dear", "note", "btw", "urgent", "asap", "imp", "important",
     "today", "tomorrow", "tmrw", "aaj", "kal", "abhi", "wants", "want", "need", "needs", "new", "naya", "nayi",
     "met", "mtg", "done", "dn", "w", "hot", "warm", "genuine", "serious", "great", "news", "good",
     "congrats", "badhai", "m/s", "m/s.", "हॉट", "गर्म", "जेन्युइन", "अब", "ab", "fir", "phir", "फिर", "their", "his",
     "her", "unke", "uske", "one", "ek", "inbound", "enquiry", "inquiry", "regarding", "re", "for", "address",
     "about", "just", "sirji", "came", "come", "comes", "aaya", "aayi", "aaye",
     "unka", "unki", "uska", "uski", "उनके", "उनका", "उनकी", "उसके", "office", "ऑफिस", "डालो", "जोड़ो", "जोड़",
     "बनाओ", "करो", "लिखो", "daalo", "dalo", "jodo", "banao", "likho", "add", "yaar", "yar"}
)  # fmt: skip


@dataclass(frozen=True)
class CompanyPick:
    """The company's span in the text (None when no run fits) and how it was recognised."""

    start: int
    end: int
    how: str  # "known" (a recent lead), "business" (a business word), "marked" (a particle), "named", "plain"


def recent_lead_in(text: str, ctx: ParseContext) -> tuple[int, int] | None:
    """The longest of the sender's recent leads written in the text, as a span."""
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


def is_person(tokens: tuple[Token, ...] | list[Token]) -> bool:
    """Whether a run reads as a person: a known first name or an honorific, and no business word."""
    words = [t.text.casefold().rstrip(".") for t in tokens]
    if not words or any(w in BUSINESS_WORDS for w in words):
        return False
    return words[0] in FIRST_NAMES or words[0] in HONORIFICS_BEFORE or words[-1] in HONORIFICS_AFTER


def _trim(run: Run) -> Run | None:
    """Drop junk, roles and honorific-less fillers from a run's edges ("MD of Rainbow Paints" -> "Rainbow Paints")."""
    toks = _titled_part(list(run.tokens))
    while toks and (_junk(toks[0]) or toks[0].norm in lx.CONNECTORS or (toks[0].norm in ROLES and len(toks) > 1)):
        toks.pop(0)
        if toks and toks[0].norm == "of":
            toks.pop(0)
    while toks and (_junk(toks[-1]) or toks[-1].norm in lx.CONNECTORS or (toks[-1].norm in ROLES and len(toks) > 1)):
        toks.pop()
    if not toks:
        return None
    return Run(toks[0].start, toks[-1].end, tuple(toks))


def _titled_part(toks: list[Token]) -> list[Token]:
    """In Latin text, the Title-case stretch of a run: "padega Vertex Labs" and "Ambika Sarees twice" lose the
    lowercase words around it (a lowercase business word such as "motors" still belongs)."""

    def lead(tok: Token) -> str:
        return tok.text.lstrip("_")[:1]  # "_Zen_" (WhatsApp italics) starts with Z

    if not any(lead(t).isupper() for t in toks) or any("\u0900" <= lead(t) <= "\u097f" for t in toks):
        return toks
    first = next(i for i, t in enumerate(toks) if lead(t).isupper() or lead(t).isdigit())
    toks = toks[first:]
    for i, tok in enumerate(toks[1:], start=1):
        low = not (lead(tok).isupper() or lead(tok).isdigit())
        if low and tok.norm not in lx.CONNECTORS and tok.text.casefold() not in BUSINESS_WORDS:
            return toks[:i]
    return toks


def _junk(tok: Token) -> bool:
    return tok.text == MASK or tok.norm in _EDGE_JUNK or not any(ch.isalnum() for ch in tok.text)


def _score(run: Run, tokens: list[Token], index: int) -> tuple[float, str]:
    words = [t.text.casefold().rstrip(".") for t in run.tokens]
    after = next((t for t in tokens if t.start >= run.end), None)
    before = next((t for t in reversed(tokens) if t.end <= run.start), None)
    score, how = 0.0, "plain"
    if any(w in BUSINESS_WORDS for w in words):
        score, how = score + 3.0, "business"
    if (after is not None and after.norm in _AFTER) or (before is not None and before.norm in _MARK_BEFORE):
        score += 1.5
        how = "marked" if how == "plain" else how
    if run.named():
        score += 1.0
        how = "named" if how == "plain" else how
    if is_person(run.tokens):
        score -= 2.5
    if implausible_company(" ".join(t.text for t in run.tokens)):
        score -= 5.0
    if all(w in ROLES or w.isdigit() for w in words):
        score -= 5.0
    if len(words) > 6:
        score -= 1.0
    return score - 0.3 * index, how


def titled_names(text: str) -> list[tuple[int, int]]:
    """Title-case names that end in a business word and contain a command word ("New India Traders",
    "Demo Tech Solutions", "Lead Star Industries"): spans that command words inside must not break up."""
    out: list[tuple[int, int]] = []
    for m in _RE_TITLED.finditer(text):
        words = [(w.group(0), m.start() + w.start(), m.start() + w.end()) for w in re.finditer(r"\S+", m.group(0))]
        if words[-1][0].casefold().rstrip(".") not in BUSINESS_WORDS:
            continue
        # "New Lead Acme Traders", "Reassign Acme Pvt Ltd": a command at the front is no part of the name.
        while len(words) > 2 and f"{words[0][0]} {words[1][0]}".casefold() in _LEAD_PHRASES:
            words = words[2:]
        while len(words) > 2 and words[0][0].casefold() in _LEADING_VERBS | _TITLED_JUNK:
            words = words[1:]
        if len(words) >= 2 and any(w.casefold() in lx.STOP for w, _, _ in words[:-1]):
            out.append((words[0][1], words[-1][2]))
    return out


_RE_TITLED = re.compile(r"(?<![\w\u0900-\u097F])(?:[A-Z][\w&'.-]*\s+){1,4}[A-Z][\w&'.-]*")
_LEADING_VERBS = frozenset(
    {"reassign", "transfer", "mark", "schedule", "reschedule", "add", "create", "assign", "move", "shift", "set",
     "book", "fix", "call", "called", "meet", "met", "log", "update", "send", "sent", "cancel", "postpone",
     "prepone", "close", "closed", "visited", "emailed", "mailed", "spoke", "give", "pass", "handover", "status",
     "qualify", "qualified", "won", "lost", "done", "had", "got", "received", "signed", "please", "pls", "kindly"}
)  # fmt: skip
# Words before a Title-case name that are not part of it ("Regarding Kar Hospitality", "FYI Mosaic Retail").
_TITLED_JUNK = frozenset({"regarding", "re", "for", "about", "fyi", "update", "note", "cust", "customer", "client"})
_LEAD_PHRASES = frozenset({"new lead", "naya lead", "nayi lead", "fresh lead", "add lead", "create lead", "new client"})


def pick_company(text: str, masked: str, ctx: ParseContext, tokens: list[Token] | None = None) -> CompanyPick | None:
    """The run of words most likely to be the company: a recent lead, else the best-scored run."""
    known = recent_lead_in(masked, ctx)
    if known is not None:
        return CompanyPick(known[0], known[1], "known")
    for start, end in titled_names(masked):
        return CompanyPick(start, end, "business")
    if tokens is None:
        tokens = tokenize(masked)
    best: tuple[float, Run, str] | None = None
    index = 0
    for seg in segments(masked):
        seg_tokens = [t for t in tokens if seg.start <= t.start < seg.end]
        for raw in content_runs(seg_tokens):
            run = _trim(raw)
            if run is None:
                continue
            score, how = _score(run, tokens, index)
            index += 1
            if best is None or score > best[0]:
                best = (score, run, how)
    if best is None or best[0] < -1.5:
        return None
    run = _cut_tail(_after_of(best[1]))
    if text[run.end - 2 : run.end] in ("'s", "’s"):
        run = Run(run.start, run.end - 2, run.tokens)  # "Orchid Pharma's purchase head"
    end = run.end
    following = [t for t in tokens if t.start >= run.end]
    # "Dutta Tea *Company*", "सिंह ट्रांसपोर्ट *कंपनी*": a business word that is also a filler still ends the name.
    while following and following[0].text.casefold().rstrip(".") in BUSINESS_WORDS and following[0].is_stop:
        end = following[0].end
        following = following[1:]
    return CompanyPick(run.start, end, best[2])


def _after_of(run: Run) -> Run:
    """`Mehul Shah of Shah Dyes & Chemicals`, `MD of Rainbow Paints`: the business after a person's "of"."""
    toks = run.tokens
    for i, tok in enumerate(toks):
        if tok.norm == "of" and 0 < i < len(toks) - 1:
            left, right = toks[:i], toks[i + 1 :]
            right_run = Run(right[0].start, right[-1].end, right)
            if (is_person(left) or all(t.norm in ROLES for t in left)) and any(
                t.text.casefold().rstrip(".") in BUSINESS_WORDS for t in right
            ):
                return right_run
    return run


def _cut_tail(run: Run) -> Run:
    """End a company at its business word when lowercase words follow ("Saini Builders positive hai")."""
    toks = run.tokens
    last_business = max((i for i, t in enumerate(toks) if t.text.casefold().rstrip(".") in BUSINESS_WORDS), default=-1)
    if 1 <= last_business < len(toks) - 1:
        rest = toks[last_business + 1 :]
        if not all(t.looks_named or t.norm in lx.CONNECTORS for t in rest) or is_person(rest):
            toks = toks[: last_business + 1]
    return Run(toks[0].start, toks[-1].end, toks)


def _droppable(tok: Token, skip: frozenset[str]) -> bool:
    if tok.norm in _NOTE_WORDS or tok.text.casefold() in _NOTE_WORDS:
        return False
    return tok.norm in skip or tok.norm in _AFTER or tok.norm in _EDGE_JUNK


# Junk at a company's edge but meaningful in a note ("*Need* to send proposal", "*not* answering", "*Good* talk").
_NOTE_WORDS = frozenset(
    {"need", "needs", "want", "wants", "today", "tomorrow", "tmrw", "aaj", "kal", "abhi", "urgent", "no", "not",
     "nahi", "nahin", "never", "नहीं", "good", "great", "bad", "very", "positive", "negative"}
)  # fmt: skip


_RE_NOTE_SEP = re.compile(r"[,;:.!?|।]|\s[-–—]\s")


def note_around(text: str, start: int, end: int, skip: frozenset[str]) -> str | None:
    """The free text before and after the company, without the command words and particles at its edges."""
    before = _trim_words(text[:start], skip, before=True)
    after = _trim_words(text[end:], skip, before=False)
    parts = [p for p in (before, after) if p]
    note = ", ".join(parts)
    return strip_edges(note) or None


def _trim_words(part: str, skip: frozenset[str], *, before: bool) -> str:
    """One side of the note: command words and particles go from the edge next to the company (and from the
    message's start); the far end keeps its words ("budget nahi hai")."""
    keep = [t for t in tokenize(part) if t.text != MASK]
    # Whole leading segments of command words go ("meeting done - they need…"); within the first remaining segment,
    # leading command words go only when no separator opened it ("lost, *went with* competitor" keeps its cue).
    seps = [m.start() for m in _RE_NOTE_SEP.finditer(part)]
    while keep:
        opened = any(p < keep[0].start for p in seps)
        end = next((p for p in seps if p > keep[0].start), len(part))
        segment = [t for t in keep if t.start < end]
        if all(_droppable(t, skip) for t in segment):
            keep = keep[len(segment) :]
            seps = [p for p in seps if p >= end]
            continue
        while not opened and keep and keep[0].start < end and _droppable(keep[0], skip):
            keep.pop(0)
        break
    if before:
        while keep and (keep[-1].norm in _BEFORE or keep[-1].norm in _AFTER):
            keep.pop()
    if not keep:
        return ""
    if all(t.norm in skip for t in keep) and len(keep) <= 3:
        return ""
    return strip_edges(part[keep[0].start : keep[-1].end])
