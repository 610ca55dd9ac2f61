"""Names as people write them: Devanagari to Latin, spelling-variant squashing, team members by name.

Pure functions with no database or heavy import, shared by the parser (which must stay light) and matching.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

_PUNCT = re.compile(r"[^\w\u0900-\u097F\s]+")
_SPACE = re.compile(r"\s+")

# A small Devanagari → Latin table: enough for names and company words people type in both scripts.
_VOWELS = {
    "अ": "a", "आ": "a", "इ": "i", "ई": "i", "उ": "u", "ऊ": "u", "ऋ": "ri", "ए": "e", "ऐ": "ai", "ओ": "o",
    "औ": "au", "ऑ": "o", "ऍ": "e",
}  # fmt: skip
_MATRAS = {
    "ा": "a", "ि": "i", "ी": "i", "ु": "u", "ू": "u", "ृ": "ri", "े": "e", "ै": "ai", "ो": "o", "ौ": "au",
    "ॉ": "o", "ॅ": "e",
}  # fmt: skip
_CONSONANTS = {
    "क": "k", "ख": "kh", "ग": "g", "घ": "gh", "ङ": "n", "च": "ch", "छ": "chh", "ज": "j", "झ": "jh", "ञ": "n",
    "ट": "t", "ठ": "th", "ड": "d", "ढ": "dh", "ण": "n", "त": "t", "थ": "th", "द": "d", "ध": "dh", "न": "n",
    "प": "p", "फ": "ph", "ब": "b", "भ": "bh", "म": "m", "य": "y", "र": "r", "ल": "l", "व": "v", "श": "sh",
    "ष": "sh", "स": "s", "ह": "h", "ळ": "l", "क़": "q", "ख़": "kh", "ग़": "g", "ज़": "z", "ड़": "d", "ढ़": "dh",
    "फ़": "f", "य़": "y",
}  # fmt: skip
_NUKTA, _VIRAMA = "\u093c", "\u094d"
_NASALS = {"ं": "n", "ँ": "n", "ः": "h"}
_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")


def has_devanagari(text: str) -> bool:
    """Whether the text contains Devanagari letters."""
    return any("\u0900" <= ch <= "\u097f" for ch in text)


@lru_cache(maxsize=65536)
def devanagari_to_latin(text: str) -> str:
    """Transliterate Devanagari to plain Latin letters (schwa dropped at word ends); other text unchanged."""
    text = unicodedata.normalize("NFC", text).translate(_DEVANAGARI_DIGITS)
    out: list[str] = []
    chars = list(text)
    i = 0
    while i < len(chars):
        ch = chars[i]
        if i + 1 < len(chars) and chars[i + 1] == _NUKTA and ch + _NUKTA in _CONSONANTS:
            ch = ch + _NUKTA
            i += 1
        if ch in _CONSONANTS:
            out.append(_CONSONANTS[ch])
            nxt = chars[i + 1] if i + 1 < len(chars) else ""
            if nxt in _MATRAS:
                out.append(_MATRAS[nxt])
                i += 1
            elif nxt == _VIRAMA:
                i += 1
            elif nxt and ("\u0900" <= nxt <= "\u097f") and nxt not in _NASALS:
                out.append("a")  # inherent vowel inside a word
            elif nxt in _NASALS:
                out.append("a")
        elif ch in _VOWELS:
            out.append(_VOWELS[ch])
        elif ch in _MATRAS:
            out.append(_MATRAS[ch])
        elif ch in _NASALS:
            out.append(_NASALS[ch])
        elif ch in (_VIRAMA, _NUKTA):
            pass
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _words(text: str) -> list[str]:
    """Casefolded words with punctuation removed ('&' and '.' split words)."""
    text = unicodedata.normalize("NFKC", text or "").casefold().replace("&", " ")
    text = _PUNCT.sub(" ", text.replace("m/s", " "))
    return [w for w in _SPACE.split(text) if w]


def _squash(text: str) -> str:
    """A phonetic squash so spelling variants compare equal (ee/i, sh/s, doubled letters, w/v)."""
    text = devanagari_to_latin(text)
    for a, b in (("ee", "i"), ("oo", "u"), ("aa", "a"), ("sh", "s"), ("ph", "f"), ("w", "v"), ("y", "i"), ("z", "j")):
        text = text.replace(a, b)
    for a in ("kh", "gh", "ch", "jh", "th", "dh", "bh"):
        text = text.replace(a, a[0])
    return re.sub(r"(.)\1+", r"\1", text)


@lru_cache(maxsize=4096)
def _member_forms(member: str) -> frozenset[str]:
    words = _words(member)
    forms = {_squash(" ".join(words))} if words else set()
    if words:
        forms.add(_squash(words[0]))
    return frozenset(f for f in forms if f)


def team_member(written: str, team: Iterable[str]) -> str | None:
    """The team member a written name means (case, spelling variants, Devanagari or Latin), if exactly one."""
    words = _words(written.strip().lstrip("@"))
    if not words:
        return None
    squashed = _squash(" ".join(words))
    hits = {m for m in team if m.strip() and squashed in _member_forms(m)}
    return next(iter(hits)) if len(hits) == 1 else None
