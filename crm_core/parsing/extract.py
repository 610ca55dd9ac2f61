"""Field extraction helpers: phones, emails, names, segments and the company left after the command words."""

from __future__ import annotations

import re
from dataclasses import dataclass

from crm_core.parsing.lexicon import CONNECTORS, STOP, WL, WR, correct
from crm_core.phones import to_e164

MASK = "¤"
_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")
_RE_DIGITS = re.compile(r"\d")
RE_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
RE_PHONE = re.compile(r"(?<![\w/])(?:\+|00)?\d(?:[\s\-.()]{0,2}\d){7,14}(?![\w/])")
RE_TOKEN = re.compile(r"[Mm]/[Ss]\.?(?!\w)|[\w\u0900-\u097F]+(?:['’.\-][\w\u0900-\u097F]+)*\.?|&|" + MASK)
_ABBREV = frozenset({"pvt", "ltd", "dr", "mr", "mrs", "ms", "co", "inc", "st", "no", "corp", "bros", "jr", "sr", "smt"})
_RE_INITIALS = re.compile(r"(?:\w\.)*\w")  # `A`, `A.K`: initials, not a sentence end
_NAME_END = frozenset({"ltd", "inc", "co", "corp", "llp", "bros"})
RE_SEP = re.compile(r"\s*(?:[,;:|~\n()\[\]{}!?।\"“”]+|\s/\s|\s[-–—]+\s|\s[-–—]+(?=\S)|(?<=\S)[-–—]\s|\.(?=\s|$))\s*")


class Token:
    """A word of the message: its text as written, its position and its normalised (typo-corrected) form."""

    __slots__ = ("end", "is_stop", "looks_named", "norm", "start", "text")

    def __init__(self, text: str, start: int, end: int, norm: str) -> None:
        self.text = text
        self.start = start
        self.end = end
        self.norm = norm
        # A command word or filler (or a masked span): never part of a name.
        self.is_stop, self.looks_named = _word_traits(text, norm)

    def __repr__(self) -> str:
        return f"Token({self.text!r}, {self.start}, {self.end})"


def _word_traits(text: str, norm: str) -> tuple[bool, bool]:
    ch = text.lstrip("_")[:1] or text[0]  # "_Zen_" (WhatsApp italics) is written like a name
    # Capitalised, Devanagari or digit-led: the way names are written.
    return text == MASK or norm in STOP, ch.isupper() or ch.isdigit() or "\u0900" <= ch <= "\u097f"


_WORDS: dict[str, tuple[str, bool, bool]] = {}  # word as written -> (normal form, is_stop, looks_named)
_WORDS_MAX = 50_000


def _word(word: str) -> tuple[str, bool, bool]:
    known = _WORDS.get(word)
    if known is None:
        norm = correct(word.casefold().rstrip("."))
        known = (norm, *_word_traits(word, norm))
        if len(_WORDS) >= _WORDS_MAX:
            _WORDS.clear()
        _WORDS[word] = known
    return known


def tokenize(text: str) -> list[Token]:
    """The words of a text, with typo-corrected normal forms."""
    out = []
    new = Token.__new__
    for m in RE_TOKEN.finditer(text):
        word = m.group(0)
        norm, is_stop, named = _word(word)
        tok = new(Token)
        tok.text, tok.norm, tok.is_stop, tok.looks_named = word, norm, is_stop, named
        tok.start, tok.end = m.span()
        out.append(tok)
    return out


def mask_tokens(tokens: list[Token], spans: list[tuple[int, int]] | tuple[tuple[int, int], ...]) -> list[Token]:
    """The tokens `tokenize(mask(text, spans))` would give, derived from the text's tokens without re-tokenising."""
    if not spans:
        return tokens
    marks = [(a, b) for a, b in spans if b > a]
    out = [tok for tok in tokens if not any(a < tok.end and tok.start < b for a, b in marks)]
    out += [Token(MASK, a, a + 1, MASK) for a, _ in marks]
    return sorted(out, key=lambda t: t.start)


def mask(text: str, spans: list[tuple[int, int]] | tuple[tuple[int, int], ...]) -> str:
    """Replace spans with a same-length mask so positions keep matching the original text."""
    chars = list(text)
    for a, b in spans:
        for i in range(a, b):
            chars[i] = " "
        if b > a:
            chars[a] = MASK
    return "".join(chars)


def find_emails(text: str) -> list[re.Match[str]]:
    """Email addresses in the text."""
    return list(RE_EMAIL.finditer(text))


def find_phones(text: str, region: str) -> list[tuple[str, tuple[int, int]]]:
    """Phone numbers in E.164 with their spans (dates and amounts are not phones)."""
    found: list[tuple[str, tuple[int, int]]] = []
    text = text.translate(_DEVANAGARI_DIGITS)  # same length: spans still fit the original
    for m in RE_PHONE.finditer(text):
        raw = m.group(0).strip(" -.()")
        if len(_RE_DIGITS.findall(raw)) < 8:
            continue
        e164 = to_e164(raw, region)
        if e164 is None:
            parts = raw.split()
            while len(parts) > 1 and e164 is None:
                parts.pop()
                e164 = to_e164(" ".join(parts), region)
            if e164 is None:
                continue
            end = m.start() + m.group(0).find(parts[-1]) + len(parts[-1])
            found.append((e164, (m.start(), end)))
        else:
            found.append((e164, m.span()))
    return found


@dataclass(frozen=True)
class Segment:
    """A piece of the message between separators (commas, colons, dashes, sentence ends…)."""

    start: int
    end: int
    sep_before: str


def segments(text: str) -> list[Segment]:
    """Split on separators; a dot after an abbreviation such as Pvt or Dr does not end a segment."""
    out: list[Segment] = []
    pos = 0
    sep = ""
    for m in RE_SEP.finditer(text):
        if m.group(0).strip() == "." or m.group(0).strip().startswith("."):
            before = text[: m.start()].rsplit(None, 1)
            last = before[-1].casefold().strip(".") if before else ""
            following = text[m.end() : m.end() + 1]
            ends_name = last in _NAME_END and following[:1].isupper()
            initials = bool(_RE_INITIALS.fullmatch(last))
            if (last in _ABBREV and not ends_name) or initials:
                continue
        if m.start() > pos:
            out.append(Segment(pos, m.start(), sep))
        sep = m.group(0).strip() or " "
        pos = m.end()
    if pos < len(text):
        out.append(Segment(pos, len(text), sep))
    return out


@dataclass(frozen=True)
class Run:
    """A run of consecutive non-command words: a candidate company or name."""

    start: int
    end: int
    tokens: tuple[Token, ...]

    def named(self) -> bool:
        """Whether any word is written like a name."""
        return any(t.looks_named for t in self.tokens)


def content_runs(tokens: list[Token]) -> list[Run]:
    """Runs of non-stop words; `&`, `and`, `of` join two named words."""
    runs: list[Run] = []
    cur: list[Token] = []
    for i, tok in enumerate(tokens):
        joins = (
            tok.norm in CONNECTORS
            and cur
            and i + 1 < len(tokens)
            and not tokens[i + 1].is_stop
            and (tok.text == "&" or (cur[-1].looks_named and tokens[i + 1].looks_named))
        )
        if not tok.is_stop or joins:
            if tok.text == "&" and not cur:
                continue
            cur.append(tok)
        elif cur:
            runs.append(Run(cur[0].start, cur[-1].end, tuple(cur)))
            cur = []
    if cur:
        runs.append(Run(cur[0].start, cur[-1].end, tuple(cur)))
    return runs


def split_named_prefix(run: Run) -> tuple[Run, Run | None]:
    """Cut `Acme Pvt Ltd they want pricing` into the named company and the lowercase words after it."""
    toks = run.tokens
    if not toks[0].looks_named:
        return run, None
    for i in range(1, len(toks)):
        rest = toks[i:]
        if not toks[i].looks_named and len(rest) >= 2 and not any(t.looks_named for t in rest[:2]):
            head = Run(toks[0].start, toks[i - 1].end, toks[:i])
            return head, Run(rest[0].start, rest[-1].end, rest)
    return run, None


RE_NAME_WORDS = re.compile(r"[\w\u0900-\u097F][\w\u0900-\u097F'’.]*")


def clean_name(raw: str, max_words: int = 3) -> str | None:
    """A person's name from the words after a label: leading name-like words, fillers dropped."""
    words: list[str] = []
    for m in RE_NAME_WORDS.finditer(raw):
        w = m.group(0).rstrip(".")
        norm = w.casefold()
        if norm in {"dr", "mr", "mrs", "ms", "shri", "smt", "ji"} or "\u0900" <= w[0] <= "\u097f":
            words.append(w if norm != "dr" else m.group(0))
        elif norm in STOP or MASK in w:
            if words:
                break
            continue
        elif w[0].isupper() or not words:
            words.append(w)
        else:
            break
        if len(words) >= max_words:
            break
    while words and words[-1].casefold().rstrip(".") in {"dr", "mr", "mrs", "ms", "shri", "smt"}:
        words.pop()
    name = " ".join(words).strip()
    return name or None


_MARKERS = "*_~"  # WhatsApp bold, italics, strike-through


def name_text(text: str, start: int, end: int) -> str:
    """A name as written, WhatsApp formatting intact: "*Star* Traders" keeps its markers, while a name wrapped
    whole ("*Acme Traders*") loses the wrapping, which is emphasis rather than part of the name."""
    while start > 0 and text[start - 1] in _MARKERS:
        start -= 1
    while end < len(text) and text[end] in _MARKERS:
        end += 1
    name = strip_edges(text[start:end])
    for mark in _MARKERS:
        if len(name) > 2 and name[0] == mark and name.count(mark) == 2:
            close = name.index(mark, 1)
            rest = name[close + 1 :].strip()
            if not rest or rest[:1].islower():  # "*Lotus Green Homes* builder": the wrapped part is the name
                return strip_edges(name[1:close])
    return name


def strip_edges(text: str) -> str:
    """Trim separators and stray punctuation at both ends."""
    return text.strip(" \t\n,;:.-–—|()[]!?\"'“”" + MASK)


def word_rx(words: tuple[str, ...] | list[str]) -> str:
    """An alternation of words with Devanagari-aware boundaries (for the original, unnormalised text)."""
    alts = sorted({re.escape(w) for w in words}, key=len, reverse=True)
    return WL + r"(?:" + "|".join(alts) + r")" + WR
