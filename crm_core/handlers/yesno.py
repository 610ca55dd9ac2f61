"""Yes and no as people write them on WhatsApp, in English, Hinglish and Hindi: one recogniser for every question.

An answer is a yes (or a no) when it has a yes word (or a no word) and every other word is one that goes with it
("haan ji bana do", "yes please", "nahi rehne do", "no thanks", "ok done", "theek hai", "mat karo", "हाँ कर दो").
Anything else — a word that adds something ("yes but on Friday"), both a yes and a no ("haan nahi") — is neither,
so the message is read as a message of its own rather than taken as an answer.
"""

from __future__ import annotations

import re

# Words that say yes by themselves.
_YES_WORDS = frozenset(
    {
        "yes", "y", "yeah", "yea", "yep", "yup", "ya", "yah", "ok", "okay", "okk", "okey", "k", "kk", "oki", "sure",
        "confirm", "confirmed", "correct", "right", "fine", "done", "proceed", "go", "create", "book", "save",
        "haan", "haa", "han", "ha", "hanji", "haanji", "haji", "ji", "jee", "theek", "thik", "tik", "sahi", "bilkul",
        "zaroor", "jaroor", "chalo", "chalega", "kar", "kardo", "karo", "banado", "banao", "bana", "bnado",
        "हाँ", "हां", "हा", "जी", "ठीक", "सही", "बिल्कुल", "बिलकुल", "ज़रूर", "जरूर", "कर", "करो", "बनाओ", "बना", "चलेगा",
        "ओके",
    }
)  # fmt: skip
# Words that say no by themselves.
_NO_WORDS = frozenset(
    {
        "no", "n", "nope", "nah", "nahi", "nahin", "nai", "nhi", "na", "naa", "nako", "not", "dont", "cancel",
        "cancelled", "stop", "drop", "skip", "wrong", "galat", "mat", "rehne", "rehene", "rahne", "chhodo", "chodo",
        "chhod", "chod", "leave", "forget",
        "नहीं", "नही", "ना", "मत", "रहने", "रद्द", "छोड़ो", "छोड़", "छोडो", "कैंसल", "गलत", "ग़लत",
    }
)  # fmt: skip
# Words that may go with either answer without changing it.
_EITHER = frozenset(
    {
        "please", "pls", "plz", "ji", "sir", "madam", "mam", "maam", "bhai", "bro", "yaar", "re", "thanks", "thank",
        "thankyou", "thx", "you", "it", "that", "this", "is", "its", "thats", "hai", "h", "he", "do", "de", "dena",
        "dedo", "dijiye", "kar", "karo", "karna", "kijiye", "kariye", "karein", "kardo", "karde", "abhi", "ab", "to",
        "toh", "then", "now", "bhi", "sab", "all",
        "है", "दो", "दे", "दीजिए", "दीजिये", "कर", "करो", "करें", "कीजिए", "अभी", "प्लीज़", "प्लीज", "धन्यवाद", "तो",
        "ये", "यह", "सब", "जी",
    }
)  # fmt: skip
# Words that go with a yes only.
_YES_ONLY = frozenset(
    {
        "good", "great", "perfect", "ahead", "bana", "banao", "banado", "bna", "rakho", "rakh", "rakhdo", "set",
        "fix", "same", "as", "bas", "hain", "lo", "le", "haan", "ha", "yes", "ok",
        "बना", "बनाओ", "रखो", "रख", "बस", "हैं", "लो", "हाँ", "हां",
    }
)  # fmt: skip
# Words that go with a no only.
_NO_ONLY = frozenset(
    {
        "need", "needed", "required", "want", "jarurat", "zarurat", "zaroorat", "jaroorat", "chahiye", "later",
        "banana", "banao", "bana", "bnao", "anymore", "create", "book", "save", "it", "ye", "yeh",
        "ज़रूरत", "जरूरत", "चाहिए", "बनाना", "बनाओ", "करना",
    }
)  # fmt: skip
# Whole answers that read as the other side if taken word by word.
_YES_PHRASES = frozenset({"no problem", "no issue", "no issues", "no prob", "why not", "do it", "koi dikkat nahi"})
_YES_MARKS = frozenset({"👍", "👌", "✅", "🙏", "👍🏻", "👍🏼", "👍🏽", "👍🏾", "👍🏿", "✔", "✔️"})
_NO_MARKS = frozenset({"👎", "❌", "🚫", "✖", "✖️"})

_WORD = re.compile(r"[\w\u0900-\u097F]+")
_REPEATS = re.compile(r"(.)\1{2,}")
MAX_WORDS = 7


def _words(text: str) -> list[str] | None:
    """The answer's words, casefolded, elongations squashed ("haaan" → "han"); None when it is too long."""
    folded = text.casefold().replace("'", "").replace("\u2019", "")
    folded = _REPEATS.sub(r"\1", folded)
    words = _WORD.findall(folded)
    return words if len(words) <= MAX_WORDS else None


def _marks(text: str) -> str:
    """What is left of the answer once its words and punctuation are taken out (emoji)."""
    return "".join(ch for ch in _WORD.sub(" ", text) if not ch.isspace() and ch not in ".,!?;:-~*_()\"'")


def _answer(text: str) -> bool | None:
    if not text or len(text) > 80:
        return None
    words = _words(text)
    if words is None:
        return None
    marks = _marks(text)
    if any(ch.isdigit() for w in words for ch in w):
        return None  # a number is a value (a phone, a choice), not a yes or a no
    if not words:
        if marks and all(m in _YES_MARKS for m in _split_marks(marks)):
            return True
        if marks and all(m in _NO_MARKS for m in _split_marks(marks)):
            return False
        return None
    if " ".join(words) in _YES_PHRASES:
        return True
    yes = any(w in _YES_WORDS for w in words)
    no = any(w in _NO_WORDS for w in words)
    if yes and not no and all(w in _YES_WORDS or w in _EITHER or w in _YES_ONLY for w in words):
        return True
    if no and not yes and all(w in _NO_WORDS or w in _EITHER or w in _NO_ONLY for w in words):
        return False
    if no and yes:
        # "nahi rehne do" holds "do" (a yes-ish verb) only as a filler; a real yes word besides a no is a muddle.
        strong_yes = [w for w in words if w in _YES_WORDS and w not in _EITHER and w not in _NO_ONLY]
        if not strong_yes and all(w in _NO_WORDS or w in _EITHER or w in _NO_ONLY for w in words):
            return False
    return None


def _split_marks(marks: str) -> list[str]:
    """Emoji, with their variation selectors and skin tones kept on them."""
    out: list[str] = []
    for ch in marks:
        if out and (ch in "\ufe0f\u200d" or "\U0001f3fb" <= ch <= "\U0001f3ff"):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def is_yes(text: str) -> bool:
    """Whether a message is a plain yes ("haan", "yes please", "ha bana do", "ok kar do", "हाँ", "theek hai", 👍)."""
    return _answer(text) is True


def is_no(text: str) -> bool:
    """Whether a message is a plain no ("nahi", "no thanks", "rehne do", "cancel", "mat karo", "नहीं", 👎)."""
    return _answer(text) is False
