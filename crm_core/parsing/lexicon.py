"""Word lists: command words (English, Hinglish, Devanagari), fillers, lead sources and typo correction."""

from __future__ import annotations

import importlib
import re
from functools import lru_cache
from typing import Any

# Word boundaries that also respect Devanagari (whose vowel signs are not `\w`).
WL = r"(?<![\w\u0900-\u097F])"
WR = r"(?![\w\u0900-\u097F])"


def words_rx(*phrases: str) -> re.Pattern[str]:
    """A pattern matching any phrase as whole words in the normalised (space-joined, casefolded) text."""
    alts = sorted({re.escape(p.casefold()) for p in phrases}, key=len, reverse=True)
    return re.compile(r"(?<!\S)(?:" + "|".join(alts) + r")(?!\S)")


class Keywords:
    """A group of command words and phrases, matched against a message's normalised words quickly (no regex)."""

    __slots__ = ("by_first", "firsts", "single")

    def __init__(self, *phrases: str) -> None:
        folded = {p.casefold() for p in phrases}
        self.single = frozenset(p for p in folded if " " not in p)
        by_first: dict[str, list[str]] = {}
        for phrase in folded:
            if " " in phrase:
                by_first.setdefault(phrase.split()[0], []).append(" " + phrase + " ")
        self.by_first = {k: tuple(v) for k, v in by_first.items()}
        self.firsts = frozenset(by_first)

    def found(self, padded: str, words: frozenset[str] | set[str]) -> bool:
        """Whether any word is in `words` or any phrase in `padded` (the words joined by spaces, space-padded)."""
        if not self.single.isdisjoint(words):
            return True
        return any(p in padded for first in self.firsts.intersection(words) for p in self.by_first[first])


MEETING = ("meeting", "meetings", "meet", "mtg", "mting", "mtng", "baithak", "बैठक", "मीटिंग", "मिटिंग", "मीटिंग्स")
DEMO = ("demo", "demos", "demonstration", "डेमो", "product demo")
MEETING_OR_DEMO = MEETING + DEMO

RESCHEDULE = (
    "reschedule", "rescheduled", "re-schedule", "resched", "postpone", "postponed", "prepone", "preponed",
    "move", "moved", "shift", "shifted", "push", "pushed", "change", "changed", "badlo", "badal", "badal do",
    "ho payega", "ho paayega", "ho paega", "पाएगा", "instead of", "ke jagah", "ki jagah", "की जगह", "के बजाय",
    "aage karo", "aage kar do", "aage", "badha do", "badhao", "badha", "peeche", "pehle karo", "रीशेड्यूल",
    "री-शेड्यूल", "बदलो", "बदल", "शिफ्ट", "आगे", "पोस्टपोन",
)  # fmt: skip
DONE = (
    "had", "wrapped up", "just finished",
    "done", "dn", "dne", "dun", "completed", "complete", "finished", "over", "held", "happened", "conducted", "ho gaya",
    "ho gayi",
    "ho gai", "ho gaye", "ho gya", "ho gyi", "hua", "hui", "ho chuka", "ho chuki", "kar liya", "kar li",
    "khatam", "हो गई", "हो गया", "हो गयी", "हुई", "हुआ", "पूरी", "पूरा", "खत्म", "ख़त्म", "डन",
)  # fmt: skip
SCHEDULE = (
    "schedule", "scheduled", "set up", "setup", "set", "fix", "fixed", "book", "booked", "arrange", "arranged",
    "plan", "planned", "organise", "organize", "rakho", "rakh do", "rakhna", "rakhi", "rakha", "karwao",
    "शेड्यूल", "रखो", "तय", "फिक्स", "बुक", "रखनी", "रखना", "rakhni", "lagao", "laga do", "लगाओ",
)  # fmt: skip
QUALIFY = ("qualified", "qualify", "qualifies", "qualification", "क्वालिफाइड", "क्वालिफाई", "क्वालीफाई", "योग्य")
DISQUALIFY = ("disqualified", "unqualified", "not qualified", "disqualify")
NEW_LEAD = (
    "new lead", "nwe lead", "neww lead", "new leed", "naya lead", "nayi lead", "nai lead", "naya client",
    "new client", "new enquiry", "new inquiry",
    "new prospect", "fresh lead", "nya lead", "nyi lead", "new lead hai", "lead aaya hai",
    "lead aayi hai", "lead aaya", "lead aayi", "lead aya", "lead ayi", "lead aai", "ek lead",
    "lead hai", "lead from", "lead mila", "lead mili", "got a lead", "have a lead", "lead received",
    "enquiry from", "inquiry from", "add lead", "create lead", "a lead", "नया लीड", "नई लीड", "नयी लीड",
    "लीड आया", "लीड आई", "लीड आयी", "नया क्लाइंट", "एक लीड",
)  # fmt: skip
REASSIGN = (
    "reassign", "re-assign", "reassigned", "transfer", "transferred", "handover", "hand over", "reallocate",
    "change owner", "सौंपो", "सौंप", "ट्रांसफर", "रीअसाइन",
)  # fmt: skip
ASSIGN = ("assign", "assigned", "असाइन", "assign karo", "de do", "dedo")
WON = (
    "won", "win", "deal closed", "closed won", "deal done", "deal final", "deal pakki", "deal pakka",
    "deal ho gayi", "deal ho gaya", "deal close", "deal closed", "order mil gaya", "order mila", "order received",
    "got the order", "converted", "closed the deal", "deal signed", "signed", "payment received", "closed",
    "डील पक्की", "डील हो गई", "डील क्लोज", "ऑर्डर मिल गया", "जीत", "जीत गए",
)  # fmt: skip
LOST = (
    "lost", "lose", "closed lost", "deal lost", "not interested", "no longer interested", "interested nahi",
    "dropped", "went with", "cancelled", "canceled", "rejected", "haar gaye", "haar gaya", "nahi chahiye",
    "mana kar diya", "mana kiya", "dead", "लॉस्ट", "हार", "हार गए", "रद्द", "मना कर दिया", "नहीं चाहिए",
    *DISQUALIFY,
)  # fmt: skip
ACTIVITY_EXPLICIT = (
    "add activity", "activity", "add note", "note", "notes", "log", "logged", "log call", "log a call",
    "log activity", "add an activity", "add a note", "update activity", "नोट", "एक्टिविटी", "गतिविधि",
)  # fmt: skip
ACTIVITY_IMPLICIT = (
    "called", "call kiya", "call kia", "spoke", "spoke to", "talked", "baat hui", "baat ki", "visited",
    "emailed", "mailed", "sent", "followed up", "follow up", "follow-up", "followup", "whatsapp kiya",
    "बात हुई", "कॉल किया", "भेजा", "भेज दिया",
)  # fmt: skip
TASKS = (
    "tasks", "task", "taks", "tsks", "tasklist", "todo", "to-do", "to do", "todos", "kaam", "agenda", "reminders",
    "follow-ups", "followups", "what do i have", "what's on", "whats on", "kya karna hai", "kya kaam hai",
    "क्या करना है",
    "काम", "टास्क", "टास्क्स", "my schedule", "my day", "aaj ka schedule", "kal ka schedule", "aaj kya hai",
    "kal kya hai", "kya kya hai", "mere paas kya", "what's pending", "whats pending", "pending today",
    "शेड्यूल क्या", "का शेड्यूल", "aaj ka plan", "kal ka plan", "आज क्या है", "कल क्या है",
    "whats today", "what's today",
)  # fmt: skip
LEADS_PLURAL = ("leads", "lead list", "pipeline", "लीड्स", "लीड", "lead", "पाइपलाइन")
LISTING = (
    "show", "list", "my", "mere", "mera", "meri", "मेरे", "मेरा", "मेरी", "dikhao", "batao", "dikha", "bata",
    "दिखाओ", "बताओ", "what", "which", "kya", "sab", "all", "get", "view", "see", "give", "send", "open",
    "pending", "सभी", "सारे",
)  # fmt: skip
LEAD_INFO = (
    "status", "info", "information", "details of", "update on", "kya hua", "kya scene", "kya status",
    "tell me about", "history", "details", "ki details", "ka details", "ki detail", "स्थिति", "स्टेटस", "जानकारी",
    "क्या हुआ", "lead info", "where are we",
)  # fmt: skip
HELP = (
    "help", "madad", "मदद", "हेल्प", "what can you do", "how to use", "commands", "menu", "guide",
    "kaise use", "options", "kya kar sakte ho", "kya kya kar sakte", "what all can you do", "क्या कर सकते हो",
    "सहायता", "how does this work", "help me", "?", "how do i", "how to add", "how can i", "bot work",
    "bot kaise", "क्या क्या कर सकता", "बॉट क्या", "kya kya karta", "kya karta hai",
    "kya kar sakta", "use kaise", "kaise use", "how do i use", "kaise chalate",
    "kaise chalaye", "kaise karu", "कैसे use", "कैसे इस्तेमाल",
)  # fmt: skip
CHITCHAT = (
    "hi", "hii", "hiii", "hello", "helo", "hey", "namaste", "namaskar", "नमस्ते", "नमस्कार", "good morning",
    "good evening", "good afternoon", "good night", "gm", "gn", "thanks", "thank you", "thank u", "thx",
    "ty", "tq", "ok", "okay", "k", "kk", "shukriya", "dhanyavad", "dhanyawad", "धन्यवाद", "शुक्रिया", "ठीक",
    "ठीक है", "theek hai", "thik hai", "accha", "acha", "great", "cool", "nice", "bye", "sir", "madam",
    "mam", "ji", "haan", "yes", "no", "nahi", "hmm", "fine", "sure", "welcome", "how are you", "kaise ho",
    "lol", "done thanks", "bhai", "bro", "boss", "dost", "bhaiya", "dear", "all", "team", "guys", "a lot",
    "so much", "very much", "जी", "सर", "भाई", "ओके", "हाय", "हेलो",
)  # fmt: skip

SOURCES = (
    "indiamart", "india mart", "justdial", "just dial", "website", "web site", "web", "referral", "reference",
    "referred", "walk-in", "walkin", "walk in", "linkedin", "instagram", "insta", "facebook", "fb", "google",
    "google ads", "tradeindia", "trade india", "exhibition", "expo", "trade show", "trade fair", "cold call",
    "cold calling", "whatsapp", "email campaign", "newspaper", "advertisement", "ads", "youtube", "twitter",
    "partner", "existing customer", "word of mouth", "inbound call", "sulekha", "meta ads", "seo",
    "वेबसाइट", "रेफरल", "इंडियामार्ट", "जस्टडायल", "वॉक-इन", "फेसबुक", "इंस्टाग्राम", "गूगल",
)  # fmt: skip
SOURCE_SET = frozenset(SOURCES)

# Words of command phrases that are common in company names, so never treated as fillers.
_NOT_STOP = frozenset(
    (
    "fresh", "payment", "dead", "great", "cool", "nice", "fine", "sure", "welcome", "history", "guide", "menu",
    "options", "point", "enquiry", "inquiry", "prospect", "signed", "win", "lose", "view", "see", "give", "get",
    "open", "send",
    )
)  # fmt: skip
# Greetings, thanks and chit-chat: a message made only of these (and fillers) is no command.
CHITCHAT_WORDS = frozenset(w.casefold() for phrase in CHITCHAT for w in phrase.split())

# Words that never belong to a company or person name (command words, fillers, particles, time words).
STOP = frozenset(
    w.casefold()
    for phrase in (
        *MEETING_OR_DEMO,
        *RESCHEDULE,
        *DONE,
        *SCHEDULE,
        *QUALIFY,
        *DISQUALIFY,
        *NEW_LEAD,
        *REASSIGN,
        *ASSIGN,
        *WON,
        *LOST,
        *ACTIVITY_EXPLICIT,
        *ACTIVITY_IMPLICIT,
        *TASKS,
        *LEADS_PLURAL,
        *LISTING,
        *LEAD_INFO,
        *HELP,
        *CHITCHAT,
    )
    for w in phrase.split()
    if w.casefold() not in _NOT_STOP
) | frozenset(
    (
    "a", "an", "the", "for", "with", "of", "on", "at", "to", "in", "from", "by", "is", "are", "was", "were", "be",
    "been", "has", "have", "had", "it", "its", "it's", "this", "that", "these", "those", "please", "pls", "plz",
    "kindly", "and", "or", "but", "as", "mark", "also", "just", "now", "up", "into", "about", "regarding", "re",
    "client", "customer", "company", "party", "firm", "there", "there's", "here", "lead", "leads", "new", "call",
    "deal", "order", "today", "tomorrow", "tonight", "morning", "evening", "afternoon", "night", "noon", "am", "pm",
    "next", "coming", "this", "upcoming", "day", "after", "before", "time", "date", "o'clock", "hrs", "hours",
    "let's", "lets", "can", "could", "will", "would", "should", "shall", "do", "does", "did", "we", "i", "me", "us",
    "our", "you", "your", "he", "she", "they", "them", "him", "her", "his", "ka", "ki", "ke", "ko", "se", "ne", "me",
    "mein", "par", "pe", "saath", "sath", "sathh", "wala", "wali", "wale", "hai", "hain", "tha", "thi", "the", "ho",
    "hoga", "hogi", "gaya", "gayi", "gai", "gya", "gyi", "karo", "kar", "kardo", "karna", "kiya", "diya", "de",
    "dena", "do", "lo", "le", "liya", "rakho", "aaj", "aj", "kal", "parso", "baje", "bje", "baaje", "subah", "sham",
    "shaam", "dopahar", "raat", "abhi", "bhi", "aur", "ya", "ek", "naya", "nayi", "nai", "aaya", "aayi", "aya",
    "ayi", "aai", "wali", "liye", "lie", "ke", "liye", "baad", "bad", "din", "uska", "uski", "unka", "unki", "unke",
    "iska", "iski", "yeh", "ye", "woh", "vo", "का", "की", "के", "को", "से", "ने", "में", "पर", "साथ", "वाला", "वाली",
    "वाले", "है", "हैं", "था", "थी", "हो", "होगा", "गया", "गई", "गयी", "करो", "कर", "करना", "किया", "दिया", "दे",
    "दो", "लो", "आज", "कल", "परसों", "बजे", "सुबह", "शाम", "दोपहर", "रात", "अभी", "भी", "और", "या", "एक", "नया",
    "नई", "नयी", "आया", "आई", "लीड", "क्लाइंट", "कंपनी", "फर्म", "संपर्क", "असाइन", "लिए", "बाद", "दिन", "उसका",
    "उसकी", "उनका", "उनकी", "यह", "वह", "कृपया", "प्लीज",
    )
)  # fmt: skip
CONNECTORS = frozenset({"&", "and", "of", "n", "और", "एंड", "-"})

INJECTION = re.compile(
    r"ignore\s+(?:all\s+|any\s+|the\s+|your\s+|my\s+|previous\s+|prior\s+|above\s+|earlier\s+)*"
    r"(?:instructions?|rules?|prompts?|directions?)|disregard\s+(?:all|your|the|any|previous|prior)|"
    r"system\s+prompt|you\s+are\s+now|jailbreak|forget\s+(?:all|your|previous|prior)\s+(?:instructions?|rules?)|"
    r"developer\s+mode|override\s+(?:your|the)\s+(?:instructions?|rules?)|pretend\s+(?:to\s+be|you)",
    re.I,
)

# The vocabulary a typo is corrected towards (only words of five letters or more are corrected).
TYPO_VOCAB: tuple[str, ...] = (
    "schedule", "reschedule", "meeting", "meetings", "qualified", "qualify", "activity", "reassign", "assign",
    "assigned", "transfer", "postpone", "postponed", "completed", "complete", "tomorrow", "status", "tasks",
    "leads", "details", "address", "turnover", "challenges", "challenge", "industry", "interested",
    "competitor", "closed", "cancelled", "contact", "source", "referral", "website", "prepone", "scheduled",
    "information", "arrange", "finished", "current", "system", "employees", "demonstration", "today",
    "walk-in", "indiamart", "justdial", "linkedin", "instagram", "facebook", "qualification", "reassigned",
)  # fmt: skip
# Real words close to a command word that must not be "corrected" into it.
_NOT_TYPOS = frozenset(
    {
        "quality",
        "qualities",
        "quantity",
        "assist",
        "status",
        "states",
        "detail",
        "dealer",
        "dealers",
        "meetings",
        "setting",
        "sitting",
        "closet",
        "transport",
        "contract",
        "contacts",
    }
)
_KNOWN = STOP | frozenset(TYPO_VOCAB) | _NOT_TYPOS
_ASCII_WORD = re.compile(r"^[a-z][a-z\-]{4,}$")


# Chat shorthand, read as the word it stands for ("kl mtng kr do" = "kal meeting kar do").
SHORTHAND: dict[str, str] = {
    "kl": "kal", "aj": "aaj", "h": "hai", "hn": "hain", "kr": "kar", "kro": "karo", "krna": "karna", "krta": "karta",
    "krti": "karti", "krdo": "kardo", "nhi": "nahi", "nai": "nahi", "ni": "nahi", "mtng": "meeting", "mting": "meeting",
    "meetng": "meeting", "metting": "meeting", "meting": "meeting", "mtg": "meeting", "mtgs": "meetings",
    "dmo": "demo", "rha": "raha", "rhi": "rahi", "rhe": "rahe", "gya": "gaya", "gyi": "gayi", "hua": "hua",
    "nya": "naya", "nyi": "nayi", "plz": "please", "pls": "please", "tmrw": "tomorrow", "tmr": "tomorrow",
    "lgbhg": "lagbhag", "shyd": "shayad", "bhot": "bahut", "bht": "bahut", "sth": "saath", "sath": "saath",
    "wla": "wala", "wli": "wali", "wle": "wale", "ky": "kya", "kya": "kya", "bol": "bol",
}  # fmt: skip


@lru_cache(maxsize=20000)
def correct(word: str) -> str:
    """A casefolded word, corrected to a command word when it is a likely typo or shorthand of one."""
    if word in SHORTHAND:
        return SHORTHAND[word]
    if word in _KNOWN or not _ASCII_WORD.match(word):
        return word
    from rapidfuzz import fuzz, process

    hit = process.extractOne(word, TYPO_VOCAB, scorer=fuzz.ratio, score_cutoff=82)
    return hit[0] if hit else word


# -- prefilters -------------------------------------------------------------------------------------------------
# A pattern can only match a text holding one of its literal strings ("needles"): testing for them in the folded
# text is much cheaper than scanning with a large pattern, so a family of patterns is skipped when none is there.

# Characters that `re.I` matches to an ASCII letter but `str.lower()` does not turn into it.
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
_parser: Any = importlib.import_module("re._parser")  # the standard library's own pattern parser
_c: Any = importlib.import_module("re._constants")
_EXACT_MAX = 64  # how many exact strings a part of a pattern may stand for before only "one of them" is kept
_Info = tuple[frozenset[str] | None, frozenset[str] | None]  # (the exact strings matched, the needles)


@lru_cache(maxsize=8)  # per message: the same text is folded by several readers within one parse
def folded(text: str) -> str:
    """The text in the form needles are tested against (lower case, `re.I`'s special letters made ASCII)."""
    return text.translate(_FOLD).lower()


def _char(code: int) -> str | None:
    ch = chr(code)
    if ch.isascii():
        return ch.lower()
    return ch if ch.lower() == ch == ch.upper() == ch.casefold() else None  # uncased (Devanagari, signs)


def _as_needles(exact: set[str] | frozenset[str] | None) -> frozenset[str] | None:
    return frozenset(exact) if exact and "" not in exact else None


def _better(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    if a is None or b is None:
        return a or b
    return a if (min(map(len, a)), -len(a)) >= (min(map(len, b)), -len(b)) else b


def _seq_info(items: Any) -> _Info:
    best: frozenset[str] | None = None
    run: set[str] = {""}
    all_exact = True
    for op, av in items:
        exact, need = _node_info(op, av)
        if exact is not None:
            joined = {a + b for a in run for b in exact}
            if len(joined) <= _EXACT_MAX:
                run = joined
                continue
            best, run, all_exact = _better(best, _as_needles(run)), set(exact), False
            continue
        best, run, all_exact = _better(_better(best, _as_needles(run)), need), {""}, False
    if all_exact:
        return frozenset(run), _as_needles(run)
    return None, _better(best, _as_needles(run))


def _node_info(op: Any, av: Any) -> _Info:
    if op is _c.LITERAL:
        ch = _char(av)
        return (frozenset({ch}), frozenset({ch})) if ch is not None else (None, None)
    if op is _c.IN:
        chars = [_char(v) if o is _c.LITERAL else None for o, v in av]
        if len(chars) > 8 or any(ch is None for ch in chars):
            return None, None
        exact = frozenset(ch for ch in chars if ch is not None)
        return exact, exact
    if op is _c.SUBPATTERN:
        return _seq_info(av[-1])
    if op is _c.ATOMIC_GROUP:
        return _seq_info(av)
    if op is _c.BRANCH:
        infos = [_seq_info(b) for b in av[1]]
        exacts = [e for e, _ in infos if e is not None]
        if len(exacts) == len(infos) and len(union := frozenset().union(*exacts)) <= _EXACT_MAX:
            return union, _as_needles(union)
        needs = [n if n is not None else _as_needles(e) for e, n in infos]
        if any(n is None for n in needs):
            return None, None  # one alternative has no needle: neither has the choice
        return None, frozenset(x for n in needs if n is not None for x in n)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
        low, high, sub = av
        sub_exact, sub_need = _seq_info(sub)
        if low == high == 1:
            return sub_exact, sub_need
        if low == 0:
            return (sub_exact | {""}, None) if high == 1 and sub_exact is not None else (None, None)
        return None, sub_need if sub_need is not None else _as_needles(sub_exact)
    if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
        return frozenset({""}), None  # zero-width: adds no characters
    return None, None


def needles(rx: re.Pattern[str]) -> frozenset[str] | None:
    """Strings one of which (in `folded` form) every match of the pattern contains; None when there are none."""
    return _seq_info(_parser.parse(rx.pattern, rx.flags))[1]


class Gate:
    """A family of patterns and the needles of all of them: when the gate is shut, none of them can match."""

    __slots__ = ("rx",)

    def __init__(self, *patterns: re.Pattern[str], min_len: int = 2) -> None:
        found = [needles(p) for p in patterns]
        if any(n is None for n in found):
            self.rx: re.Pattern[str] | None = None
            return
        every = frozenset(x for n in found if n is not None for x in n)
        if min(map(len, every)) < min_len:
            self.rx = None
            return
        self.rx = re.compile("|".join(re.escape(n) for n in sorted(every, key=len, reverse=True)))

    @property
    def useful(self) -> bool:
        """Whether the gate can ever be shut."""
        return self.rx is not None

    def open(self, folded_text: str) -> bool:
        """Whether one of the patterns may match the text (given in `folded` form)."""
        return self.rx is None or self.rx.search(folded_text) is not None
