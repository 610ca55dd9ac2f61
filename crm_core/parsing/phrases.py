"""Phrases found anywhere in a message: where a lead came from (source) and who will own it (owner)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from crm_core.names import team_member
from crm_core.parsing.lexicon import STOP, WL, WR, Gate, folded

# Canonical source -> the ways people write it (typos and short forms included).
SOURCE_FORMS: dict[str, tuple[str, ...]] = {
    "IndiaMART": (
        "indiamart", "india mart", "indiamrt", "indimart", "indiamaart", "india-mart", "इंडियामार्ट", "इंडिया मार्ट",
    ),
    "JustDial": ("justdial", "just dial", "just-dial", "jd", "जस्टडायल", "जस्ट डायल"),
    "TradeIndia": ("tradeindia", "trade india", "ट्रेडइंडिया", "ट्रेड इंडिया"),
    "website": (
        "website", "web site", "webiste", "wesbite", "site pe", "site se", "site par", "web form", "website form",
        "contact form", "online form", "वेबसाइट", "वेब साइट",
    ),
    "referral": (
        "referral", "reference", "referred", "refered", "refrence", "refrnce", "refernce", "reffrence", "refer kiya",
        "refer kia", "refer", "ref from", "ref by",
        "recommended by", "recommendation", "रेफरल", "रेफरेंस", "रेफर",
    ),
    "walk-in": (
        "walk-in", "walk in", "walkin", "walked in", "walk-in customer", "showroom pe aaye", "showroom aaye",
        "shop pe aaye", "dukaan pe aaye", "dukan pe aaye", "office aaye", "office pe aaye", "वॉक-इन", "वॉक इन",
        "दुकान पर आए", "शोरूम पर आए", "ऑफिस आए",
    ),
    "exhibition": (
        "exhibition", "expo", "trade fair", "trade show", "tradeshow", "fair", "mela", "एक्सपो", "प्रदर्शनी",
        "ट्रेड फेयर", "मेला",
    ),
    "LinkedIn": ("linkedin", "linked in", "लिंक्डइन"),
    "Facebook": ("facebook", "fb", "फेसबुक"),
    "Instagram": ("instagram", "insta", "इंस्टाग्राम", "इंस्टा"),
    "Google": ("google ads", "google ad", "google", "adwords", "गूगल"),
    "cold call": ("cold call", "cold calling", "cold-call", "कोल्ड कॉल"),
    "WhatsApp": ("whatsapp", "whats app", "watsapp", "whatsaap", "wa", "व्हाट्सएप", "व्हाट्सऐप"),
    "email campaign": ("email campaign", "mailer", "email blast", "newsletter"),
    # Portals and media named as written (no canonical form of their own in the contract).
    "99acres": ("99acres", "99 acres"),
    "MagicBricks": ("magicbricks", "magic bricks"),
    "Sulekha": ("sulekha",),
    "Housing.com": ("housing.com",),
    "NoBroker": ("nobroker",),
    "Shiksha": ("shiksha", "shiksha.com"),
    "hoarding": ("hoarding", "billboard", "होर्डिंग"),
    "newspaper": ("newspaper", "newspaper ad", "akhbar", "अखबार"),
}  # fmt: skip
_SOURCE_OF = {form: canon for canon, forms in SOURCE_FORMS.items() for form in forms}
# Forms that are a source only with a cue around them ("WhatsApp pe msg aaya", not "sent it on WhatsApp").
_CUED_ONLY = frozenset({"whatsapp", "whats app", "watsapp", "whatsaap", "wa", "व्हाट्सएप", "व्हाट्सऐप", "fair", "mela",
                        "मेला", "refer", "google", "गूगल", "site pe", "site par", "site se", "jd", "fb"})  # fmt: skip
_SOURCE_ALT = "|".join(re.escape(f) for f in sorted(_SOURCE_OF, key=len, reverse=True))
_CUE_BEFORE = (
    r"(?:(?:lead|enquiry|inquiry|query|leads?)\s+)?(?:from|frm|via|through|thru|on|source|src|lead\s+source|"
    r"came\s+(?:in\s+)?(?:from|through|via)|came\s+through|mila|se\s+aaya|saw\s+(?:us|our\s+\w+)\s+on|found\s+us\s+on)"
)
_CUE_AFTER = (
    r"(?:se|से|pe|par|पर|wala|wali|wale|lead|leads|enquiry|inquiry|query|ad|ads|post|ke\s+through|"
    r"customer|client|visitor|form|search|पे|लीड|इन्क्वायरी|एड|ऐड|सर्च|post|page|ad\s+se|ads\s+se)"
)
RE_SOURCE = re.compile(
    r"(?P<pre>"
    + WL
    + _CUE_BEFORE
    + r"\s*[:\-]?\s*)?"
    + WL
    + r"(?P<src>"
    + _SOURCE_ALT
    + r")"
    + WR
    + r"(?P<post>\s+"
    + _CUE_AFTER
    + WR
    + r")?",
    re.I,
)
# A referral names its referrer: "reference from Sharma ji", "Mehta ji ne refer kiya" — the referrer is no contact.
RE_REFERRER = re.compile(
    WL + r"(?:ref(?:erence|erral)?|referred|recommended)\s+(?:from|by|of)\s+((?:mr\.?|mrs\.?|ms\.?|dr\.?)?\s*"
    r"[\w\u0900-\u097F.]+(?:\s+[A-Z][\w]+){0,3}(?:\s+(?:ji|bhai|sir|जी))?"
    r"(?:\s+(?:of|from)\s+[\w\u0900-\u097F]+(?:\s+[A-Z][\w]+)*)?)"
    r"|" + WL + r"((?:[\w\u0900-\u097F]+\s+){0,3}[\w\u0900-\u097F]+(?:\s+(?:ji|bhai|sir|जी|wale|wali|वाले))?)"
    r"\s+(?:ne|ने)\s+(?:refer|रेफर)\w*(?:\s+(?:kiya|kia|किया)(?:\s+(?:hai|है))?)?",
    re.I,
)


@dataclass(frozen=True)
class Found:
    """A value found in the text and the span to hide from the other fields."""

    value: str
    start: int
    end: int


_SOURCE_GATE = Gate(RE_SOURCE)
_REFERRER_GATE = Gate(RE_REFERRER)


@lru_cache(maxsize=8)  # per message: the intent and the new lead's fields both ask
def find_source(text: str) -> Found | None:
    """Where the lead came from, canonicalised ("indiamart se aaya" -> IndiaMART), with its span."""
    low = folded(text)
    source_open = _SOURCE_GATE.open(low)
    if not source_open and not _REFERRER_GATE.open(low):
        return None  # no source word and no referrer phrase
    best: Found | None = None
    for m in RE_SOURCE.finditer(text) if source_open else ():
        form = m.group("src").casefold()
        cued = bool(m.group("pre") or m.group("post"))
        if form in _CUED_ONLY and not cued:
            continue
        canon = _SOURCE_OF.get(form)
        if canon is None:
            continue
        start, end = m.span()
        if canon == "referral":
            ref = RE_REFERRER.search(text, max(0, start - 40))
            if ref is not None and ref.start() <= end + 2:
                start, end = min(start, ref.start()), max(end, ref.end())
        best = best or Found(canon, start, end)
    if best is None:
        ref = RE_REFERRER.search(text)
        if ref is not None:
            return Found("referral", ref.start(), ref.end())
    return best


_NAME = r"(?P<name>[\w\u0900-\u097F]+)"
_TO_VERBS = (
    r"(?:re-?)?assign(?:ed)?|allot(?:ted)?|allocate(?:d)?|pass(?:ed)?|give|hand(?:ed)?(?:\s+over)?|handover|"
    r"send|forward|transfer(?:red)?|move(?:d)?|shift(?:ed)?|de\s*do|dedo"
)
_OBJ = r"(?:\s+(?:it|this|this\s+one|the\s+lead|this\s+lead|lead|him|her|them|the\s+account|account))?"
_KO_VERBS = (
    r"assign|असाइन|de\s*do|dedo|de\s+dena|dena|de\s+de|do|transfer|ट्रांसफर|handover|hand\s+over|pass|forward|"
    r"shift|shift\s+kar\s+do|move|bhej\s+do|bhejna|bhejo|bhej\s+dena|सौंप|सौंपो|दे\s*दो|दे\s+देना|दो|दे\s+दीजिए|"
    r"दीजिए|भेजना|भेजो|भेज\s+दो"
)
_WILL_VERBS = (
    r"dekhega|dekhegi|dekhenge|dekh\s+lega|dekh\s+legi|lega|legi|lenge|sambhalega|sambhalegi|sambhalenge|"
    r"handle\s+kare?ga|handle\s+kare?gi|handle\s+karenge|handle\s+krega|handle\s+kregi|jayega|jayegi|jaega|jaegi|"
    r"jaayega|jaayegi|attend\s+kare?ga|attend\s+kare?gi|follow\s+up\s+kare?ga|follow\s+up\s+kare?gi|"
    r"देखेगा|देखेगी|देखेंगे|देख\s+लेगा|देख\s+लेगी|संभालेगा|संभालेगी|संभालेंगे|लेगा|लेगी|जाएगा|जाएगी|जायेगा|"
    r"जायेगी|जाएंगे|जायेंगे|हैंडल\s+करेगा|हैंडल\s+करेगी|jayenge|jaenge|jaayenge|chalenge|chalega|chalegi|"
    r"चलेंगे|चलेगा|चलेगी|karega|karegi|करेगा|करेगी|करेंगे"
)
_EN_WILL = (
    r"(?:to|will|shall|can|should|would|is\s+going\s+to)\s+(?:handle|take|own|attend|manage|cover|follow\s+up|"
    r"look\s+after|take\s+care|take\s+over|go|visit|do|conduct|present|run\s+it|run\s+the|take\s+(?:this|it)\s+up|take\s+up)"
    r"|(?:is|as)\s+(?:the\s+)?(?:owner|new\s+owner)|(?:handles?|owns?|takes?\s+over)" + WR
)
_WITH_ME = r"(?:\s+(?:aur|और|and|&)\s+(?:main|mai|मैं|i|me|myself))?"
_OWNER_RX = (
    # 0 "assign/pass/give (it) to X"
    WL + r"(?:" + _TO_VERBS + r")" + _OBJ + r"\s+(?:over\s+)?to\s+" + _NAME + WR,
    # 1 "owner: X", "assigned to X" ("owner X" may be the client's owner: a team member only)
    WL + r"(?:owner|assignee|assigned\s+to|assign\s+to|allotted\s+to|handled\s+by|new\s+owner|owned\s+by)"
    r"\s*(?:[:=\-–]|is)?\s*" + _NAME + WR,
    # 2 "X ko de do", "X को असाइन"
    WL + _NAME + r"\s+(?:ko|को)\s+(?:" + _KO_VERBS + r")" + WR,
    # 3 "amit dekhega", "ab priya handle karegi", "अब स्नेहा देखेगी", "Karan aur main chalenge"
    WL + r"(?:ab\s+|aage\s+se\s+|ab\s+se\s+|अब\s+|अब\s+से\s+|आगे\s+से\s+)?" + _NAME + _WITH_ME
    + r"(?:\s+(?:bhi|भी))?\s+(?:" + _WILL_VERBS + r")" + WR,
    # 4 "Vikram to handle", "Karan will take this", "Vikram and I will attend"
    WL + _NAME + _WITH_ME + r"\s+(?:" + _EN_WILL + r")",
    # 5 "have Arjun take this up"
    WL + r"(?:have|let|ask|get)\s+" + _NAME + r"\s+(?:take|handle|own|attend|conduct|do)" + WR,
    # 6 "assign X" standing alone
    WL + r"(?:assign|असाइन)(?:\s+(?:karo|करो|kar\s+do))?\s*[:\-]?\s+" + _NAME + WR
    + r"(?=\s*(?:$|[,.;!|)]|\s(?:ko|को|pls|please|karo|करो|kar\s+do)" + WR + r"))",
    # 7 "assign Tristar Pumps to Manoj": only the "to X" part is the owner's
    WL + r"(?:assign|reassign|transfer|hand\s+over|handover)\s+[^,.;]{2,60}?\s+(?P<tail>to\s+" + _NAME + WR + ")",
    # 8 "give Dutta Tea Company to rahul" (a team member only)
    WL + r"(?:give|pass|move|shift)\s+[^,.;]{2,60}?\s+(?P<tail>to\s+" + _NAME + WR + ")",
    # 9.. "put under Priya", "sneha ke paas daal do", "Priya pls take this", "I will go with Sneha", "Vikram + me"
    WL + r"(?:put|keep|add)\s+(?:it\s+|this\s+)?under\s+" + _NAME + WR,
    WL + _NAME + r"\s+(?:ke|के)\s+(?:paas|pass|पास)\s+(?:daal|dal|डाल|bhej|भेज|de|दे)\w*",
    WL + _NAME + r"\s+(?:pls|please)\s+(?:take|handle|own)" + WR,
    WL + r"(?:go|going|come|coming)\s+(?:with|along\s+with)\s+" + _NAME + WR,
    WL + _NAME + r"\s*\+\s*(?:me|i|myself)" + WR,
)  # fmt: skip
OWNER_PATTERNS: tuple[re.Pattern[str], ...] = tuple(re.compile(p, re.I) for p in _OWNER_RX)
# The patterns that are an assignment whatever the name (the others need a team member).
_STRONG = (0, 2, 6, 7)
_NOT_OWNER = STOP | frozenset(
    {"i", "me", "main", "mai", "mein", "hum", "we", "myself", "khud", "मैं", "हम", "खुद", "he", "she", "they",
     "wo", "woh", "vo", "वो", "वह", "client", "customer", "cust", "someone", "somebody", "koi", "कोई", "sales",
     "team", "it", "this", "that", "lead", "all"}
)  # fmt: skip


_OWNER_GATES = tuple(Gate(rx, min_len=1) for rx in OWNER_PATTERNS)


def find_owners(text: str, team: tuple[str, ...]) -> list[Found]:
    """Every owner phrase ("assign to Amit", "amit dekhega", "अब स्नेहा देखेगी", "Vikram to handle"), in order.

    With a team, a name that is not a member is kept only when the phrase is unmistakably an assignment, so the
    caller can ask about it; the sender ("main", "I") is never an owner.
    """
    return list(_find_owners(text, team))


@lru_cache(maxsize=8)  # per message: the intent and the new lead's fields both ask
def _find_owners(text: str, team: tuple[str, ...]) -> tuple[Found, ...]:
    out: list[Found] = []
    low = folded(text)
    for i, rx in enumerate(OWNER_PATTERNS):
        if not _OWNER_GATES[i].open(low):
            continue
        for m in rx.finditer(text):
            name = m.group("name")
            if name.casefold() in _NOT_OWNER or name[0].isdigit():
                continue
            member = team_member(name, team) if team else None
            # "owner X" may be the client's owner; "X to handle" any name: these need a team member.
            strong = i in _STRONG or (i == 1 and not m.group(0).casefold().startswith("owner "))
            if team and member is None and not strong:
                continue
            if not team and not strong and not (name[0].isupper() or "\u0900" <= name[0] <= "\u097f"):
                # Without a team list, a weak phrase needs a capitalised or Devanagari name.
                continue
            if any(f.start <= m.start() < f.end or m.start() <= f.start < m.end() for f in out):
                continue
            start, end = m.span("tail") if "tail" in rx.groupindex else m.span()
            out.append(Found(name, start, end))
    return tuple(sorted(out, key=lambda f: f.start))
