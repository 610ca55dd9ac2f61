"""Qualification details (address, turnover, current system, challenges, industry, team size), labelled or not.

Two kinds of evidence are read:

- labels (`Turnover: 5 cr`, `current system Tally`, `पता - …`): the value runs to the next detail, or to the end of
  its clause for the short fields;
- shapes without a label: an amount next to a turnover word (`5 cr turnover`), a head-count (`25 log`, `team of 40`),
  a known system with a verb of use (`tally pe chalte hain`, `using Zoho`), a problem phrase (`dikkat ye hai ki …`),
  a line of business (`ghee ka kaam hai`, `they are in real estate`).

Bare values (`30 cr`, `SAP`, `hospitality`, `Plot 22 MIDC …`, `payment late hota hai`) count only when the message
already gives a sure detail: precision matters more than recall, a wrong detail is worse than a missing one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache

from crm_core.parsing.extract import strip_edges
from crm_core.parsing.lexicon import Gate, folded

FIELDS = ("address", "turnover", "current_system", "challenges", "industry", "team_size")


@dataclass(frozen=True)
class DetailSpan:
    """One qualification detail found in a message."""

    field: str  # one of FIELDS
    value: str  # the value as written, trimmed
    start: int  # span in the text covering the label (if any) and the value: what a caller should mask
    end: int
    labelled: bool  # True when an explicit label word introduced it


# -- labels -----------------------------------------------------------------------------------------------------

DETAIL_LABELS: dict[str, tuple[str, ...]] = {
    "address": (
        "address", "adress", "addres", "addr", "office address", "factory address", "shop address",
        "godown address", "plant address", "registered address", "location", "पता", "एड्रेस", "pata",
    ),
    "turnover": (
        "turnover", "turn over", "turn-over", "turnovr", "annual turnover", "yearly turnover", "revenue", "t/o",
        "टर्नओवर", "सालाना टर्नओवर", "कारोबार",
    ),
    "current_system": (
        "current system", "current software", "current s/w", "existing system", "existing software", "current erp",
        "present system", "currently using", "current tool", "using", "system", "software", "s/w", "erp",
        "मौजूदा सिस्टम", "करंट सिस्टम", "सिस्टम", "सॉफ्टवेयर", "abhi ka system",
    ),
    "challenges": (
        "challenges", "challenge", "challanges", "challange", "chalenges", "pain points", "pain point",
        "problems", "problem", "issues", "issue", "dikkat", "dikkatein", "samasya", "समस्या", "समस्याएं",
        "समस्याएँ", "चुनौती", "चुनौतियां", "चुनौतियाँ", "दिक्कत", "headache", "biggest headache", "pain area",
        "pain areas", "प्रॉब्लम", "pain",
    ),
    "industry": (
        "industry", "industy", "sector", "business type", "type of business", "line of business", "vertical",
        "business", "इंडस्ट्री", "उद्योग", "क्षेत्र",
    ),
    "team_size": (
        "team size", "team strength", "team", "employees", "employee count", "no of employees",
        "no. of employees", "number of employees", "staff", "headcount", "टीम साइज", "टीम साइज़", "कर्मचारी",
    ),
}  # fmt: skip

# Words that are labels only with an explicit separator (`Sector: IT`, not `Sector 18, Noida`).
WEAK_LABELS = frozenset(
    {
        "sector", "team", "location", "system", "software", "s/w", "issue", "issues", "problem", "problems",
        "staff", "vertical", "erp", "revenue", "क्षेत्र", "सिस्टम", "pata", "पता", "addr", "using", "business",
        "headache", "प्रॉब्लम", "दिक्कत", "dikkat", "सॉफ्टवेयर", "pain",
    }
)  # fmt: skip
# Labels that need a sign (`पता: …`, `location - …`): `पता है`, `pata nahi` are ordinary Hindi.
_SIGN_ONLY = frozenset({"पता", "pata", "location", "addr", "business"})
_LABEL_OF = {label: field for field, labels in DETAIL_LABELS.items() for label in labels}

_DEV = "\u0900-\u097f"
WL = rf"(?<![\w{_DEV}])"
WR = rf"(?![\w{_DEV}])"
_EMOJI = "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff"
_FLAGS = re.I


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, _FLAGS)


def _words(text: str) -> list[str]:
    return text.split()


def _alt(words: Iterable[str], escape: bool = True) -> str:
    items = sorted({re.escape(w) if escape else w for w in words}, key=len, reverse=True)
    return "(?:" + "|".join(items) + ")"


_ALT = _alt(w.replace(" ", "\u0001") for w in _LABEL_OF).replace("\\\u0001", r"\s+").replace("\u0001", r"\s+")
RE_LABEL = _rx(
    rf"(?P<pre>^|[,;:\n|/(]|\.\s|\s[-–—]+\s|[{_EMOJI}])?\s*[*_]*(?P<label>{_ALT})[*_]*{WR}"
    r"(?P<sep>\s*(?:[:=\-–—]+|(?<=\s)(?:is|are|hai|hain|है|हैं)(?=\s))\s*|\s*[:=\-–—]+\s*|\s+)"
)
_SIGN = re.compile(r"[:=\-–—]")

# -- building blocks --------------------------------------------------------------------------------------------

_NUMWORD = _alt(
    _words(
        "one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty sixty "
        "seventy eighty ninety hundred ek do teen char chaar paanch panch saat aath nau das bees pachees pachis "
        "tees chalis chaalis pachas pachaas sau dedh dhai एक दो तीन चार पांच पाँच छह सात आठ नौ दस बीस पच्चीस "
        "तीस चालीस पचास सौ डेढ़ ढाई"
    )
)
_NUM = rf"(?:\d{{1,3}}(?:,\d{{2,3}})+|\d+(?:\.\d+)?|[०-९]+(?:\.[०-९]+)?|{WL}{_NUMWORD}(?:[\s-]{_NUMWORD})?{WR})"
_AMT_RANGE = rf"{_NUM}(?:\s*(?:-|–|to|se|से|or|ya|या)\s*{_NUM})?"
_MONEY_UNIT = (
    r"(?:crores?|crs?|cror|karod|karor|करोड़|करोड़|करोड|lakhs?|lacs?|laakh|लाख|millions?|mn|billions?|bn|(?-i:L))"
)
_QUAL = (
    r"(?:approx(?:imately)?\.?|apprx|around|about|abt|roughly|nearly|almost|close\s+to|more\s+than|over|above|"
    r"upto|up\s+to|under|below|less\s+than|lagbhag|lagbhg|lgbhg|lgbhag|takriban|kareeb|karib|लगभग|करीब|क़रीब|तकरीबन|~|>|<)"
)
_AMOUNT = rf"(?:{_QUAL}\s*)?(?:(?:rs\.?|inr|₹)\s*)?(?<![\d.,/:]){_AMT_RANGE}\s*{_MONEY_UNIT}{WR}\.?(?:\s*\+)?"
RE_AMOUNT = _rx(_AMOUNT)
_TURNOVER_KW = (
    r"(?:annual\s+turnover|yearly\s+turnover|turnover|turn[\s-]?over|turnovr|t/o|(?-i:TO)|revenue|annual\s+sales|"
    r"yearly\s+sales|सालाना\s+टर्नओवर|टर्नओवर|टर्न\s+ओवर|कारोबार)"
)
_TURNOVER_FILL = (
    r"(?:is|was|hai|है|of|bhi|abhi|currently|annually|yearly|annual|p\.?a\.?|per\s+annum|ka|का|के|ke|"
    r"rs\.?|inr|₹|around\s+about|they|he|she|told|said|says|bola|boli|bole|bataya|batate|bata\s+rahe|last\s+year|"
    r"pichle\s+saal|this\s+year|is\s+saal|ab|now|roughly)"
)

_INT = r"(?<![\d.,:/+₹])(?:\d{1,3}(?:,\d{3})+|\d{1,6}|[०-९]{1,6})(?![\d:/]|\.\d|,\d)"
_QUALC = (
    r"(?:approx(?:imately)?\.?|around|about|abt|nearly|almost|over|more\s+than|above|lagbhag|lgbhg|karib|kareeb|"
    r"लगभग|करीब|तकरीबन|~)"
)
_ABOUT_AFTER = r"(?:\s+(?:ke\s+aas\s*paas|ke\s+aaspaas|ke\s+karib|ke\s+kareeb|ke\s+around|odd|के\s+आसपास|के\s+करीब))?"
_COUNT = rf"(?:{_QUALC}\s*)?{_INT}(?:\s*(?:-|–|to|se|से)\s*{_INT})?(?:\s*\+)?"
_HEAD_STRONG = (
    r"(?:employees|employee|emps|ftes|fte|full[\s-]time\s+employees|staff|staffs|workers|worker|workforce|labourers|labours|labour|karigars|karigar|"
    r"karmachari|karmchari|salesmen|salespeople|कर्मचारियों|कर्मचारी|स्टाफ|मजदूर|वर्कर्स|वर्कर)"
)
_HEAD_WEAK = (
    r"(?:log|logon|logo|logg|लोगों|लोग|people|ppl|persons|members|member|bande|aadmi|आदमी|teachers|doctors|nurses|"
    r"drivers|technicians|engineers|telecallers|executives|reps|agents|salesman|guys|boys|ladies|girls)"
)
_HEAD = rf"(?:{_HEAD_STRONG}|{_HEAD_WEAK})"
_MOD = (
    r"(?:site|field|sales|office|factory|plant|permanent|full[\s-]time|total|on[\s-]roll|direct|technical|admin|"
    r"production|फैक्ट्री|ऑफिस)"
)
_OF = r"(?:ka|ki|ke|का|की|के)"
_TEAMWORD = r"(?:team|staff|टीम|स्टाफ)"
# After a head-count: words that make `5 log` people who came somewhere, not the team.
_NOT_TEAM_AFTER = _rx(
    r"^\s*(?:aaye|aae|aaenge|aayenge|aa\s+rahe|aate|aaya|aayi|gaye|gye|jayenge|jaenge|jaa|the|thhe|tha|came|come|"
    r"coming|will|joined|join|attend\w*|ko|se|ne|saath|milne|mile|baithe|visit\w*|for|in|at|from|were|was|"
    r"honge|hoge|ho\s+gaye|आए|आये|आएंगे|गए|जाएंगे|थे|को|से|ने|साथ|ke\s+saath|के\s+साथ)(?![\w" + _DEV + "])"
)
_NOT_TEAM_BEFORE = _rx(r"(?:with|for|to|ke\s+liye|के\s+लिए|ke\s+saath|के\s+साथ|me|mein|में|in|from|by)\s*$")
_NOT_STAFF_BEFORE = _rx(r"(?:for|to|ke\s+liye|के\s+लिए|ko)\s*$")
# After `10 log ka`: only a team word keeps it a head-count (`10 log ka staff`, not `10 log ka order`).
_TEAM_OF_OK = _rx(rf"^\s*(?:{_TEAMWORD}|kaam|काम)(?![\w{_DEV}])")
_TIME_AFTER = _rx(
    r"^\s*(?:baje|bje|बजे|pm|am|a\.m|p\.m|:\d|min|mins|minutes|hrs?|hours?|ghante|घंटे|din|दिन|days?|weeks?|"
    r"hafte|months?|mahine|saal|years?|yrs?|dec|nov|jan|feb|tarikh|तारीख|th|st|nd|rd|%|percent|परसेंट|lakh|"
    r"lac|cr|crore|करोड़|लाख|rs|units?|licen[cs]es|users?|branches|km|kg)(?![\w" + _DEV + "])"
)

# Systems a small Indian business runs on.  Strong names mean software whatever the words around them; weak ones
# (`busy`, `manual`, `register`, `whatsapp`) are ordinary words too and need a verb of use.
_SYS_STRONG = (
    r"(?:tally(?:\s*prime|\s*erp\s*-?\s*9|\s*erp|\s*9)?|marg\s*erp|busy\s*(?:software|accounting|erp)|zoho(?:\s*(?:crm|books|one|inventory|invoice|"
    r"bigin))?|sap(?:\s*(?:b\s*-?\s*1|b\s*one|business\s*one|hana|s/?4\s*hana|erp))?|oracle(?:\s*(?:netsuite|erp))?|"
    r"netsuite|(?:ms\s*|microsoft\s*)?excel(?:\s*(?:sheets?|files?))?|spreadsheets?|google\s*sheets?|vyapar|"
    r"khata\s*book|mybillbook|my\s*bill\s*book|odoo|erpnext|salesforce|hubspot|leadsquared|freshsales|pipedrive|"
    r"quickbooks|foxpro|petpooja|farvision|navision|(?:ms|microsoft)\s*dynamics(?:\s*365)?|gofrugal|logic\s*erp|"
    r"(?:in[\s-]?house|own|custom|self[\s-]developed|customi[sz]ed)\s*(?:software|erp|system|crm|app)|"
    r"टैली(?:\s*प्राइम)?|एक्सेल(?:\s*शीट(?:्स)?)?|ज़ोहो|जोहो|सैप|एसएपी|गूगल\s*शीट(?:्स)?)"
)
_SYS_WEAK = (
    r"(?:busy(?:\s*(?:software|accounting|21))?|marg|manual(?:\s*(?:billing|registers?|process|system|entries|"
    r"entry|tracking))?|registers?|(?:pen\s*(?:and|&|aur)?\s*)?paper|diary|bahi\s*khata|khata|"
    r"whats\s?app(?:\s*groups?)?|बिज़ी|बिजी|रजिस्टर|हाथ\s*से|कागज़?|डायरी|व्हाट्सएप|व्हाट्सऐप|मैन्युअल)"
)
_SYS_SUFFIX = r"(?:\s*(?:software|s/w|erp|billing|system|app|सॉफ्टवेयर))?"
_SYS_NAME = rf"(?:{WL}(?:{_SYS_STRONG}|{_SYS_WEAK}){WR})"
_SYS_COMBO = rf"{_SYS_NAME}(?:\s*(?:\+|&|and|aur|और|/|plus)\s*{_SYS_NAME}){{0,3}}{_SYS_SUFFIX}"
_SYS_STRONG_COMBO = rf"{WL}{_SYS_STRONG}{WR}(?:\s*(?:\+|&|and|aur|और|/|plus)\s*{_SYS_NAME}){{0,3}}{_SYS_SUFFIX}"
_USE_AFTER = (
    r"(?:use|upyog|istemal|istemaal|इस्तेमाल|यूज़|यूज|उपयोग)\s*"
    r"(?:karte|karta|karti|kar\s+rahe|kar\s+rhe|krte|krta|krti|karke|hota|hoti|hote|करते|करता|करती|कर\s+रहे|होता|होती)"
)
_RUN_AFTER = (
    r"(?:chalte|chalta|chalti|chal\s*r(?:a)?ha|chal\s*r(?:a)?hi|chal\s*r(?:a)?he|chalata|chalate|chalaate|chalati|चलते|चलता|चलती|"
    r"चल\s*रहा|चल\s*रही|चल\s*रहे|चलाते|चलाता|चलाती|(?:track|maintain|manage)\s*(?:kar\w*|kr\w*|hot[aie]|ho\s+rah[aie])|rakhte|"
    r"rakhta|रखते|रखता|hisab|hisaab|हिसाब|likhte|likhta|likha\s+jata|note\s+kart\w*|entry\s+kart\w*|लिखते|लिखता|"
    r"(?:billing|accounting|hisaab|hisab|kaam|बिलिंग|काम)\s+(?:hoti|hota|karte|karta|chalta|chalti|होती|होता|करते|चलता)|"
    r"ट्रैक\s*कर[\w\u0900-\u097f]*|मेंटेन\s*कर[\w\u0900-\u097f]*)"
)
_SYS_NEG = _rx(
    r"(?:went\s+with|go\s+with|going\s+with|gone\s+with|chose|chosen|choose|bought|purchased?|le\s+liya|le\s+li|"
    r"le\s+lia|liya|kharid\w*|competitor|competition|switch\w*|move\s+to|moved\s+to|shift\w*\s+to|instead|\bvs\b|"
    r"versus|compar\w*|than|integrat\w*|want(?:s|ed)?\s+to|planning|plan\s+to|will|would|should|chahte|chahiye|"
    r"interested|not\s+using|don'?t|nahi|nhi|नहीं|ले\s+लिया|demo|meeting|zoom|meet|call|link|video|lost|लॉस्ट|"
    r"pehle|earlier|previously|before|used\s+to|पहले)"
)
_PAST_AFTER = _rx(r"^\s*(?:hai|hain|है|हैं)?\s*(?:the|thi|tha|थे|थी|था)(?![\w" + _DEV + "])")

_PROBLEM_KW = (
    r"(?:problems?|issues?|challenges?|challanges?|pain\s*points?|pain\s*areas?|headaches?|dikkat(?:ein)?|diqqat|"
    r"pareshani|samasya|concerns?|bottlenecks?|प्रॉब्लम|प्राब्लम|समस्याएं|समस्याएँ|समस्या|दिक्कतें|दिक्कत|परेशानी|"
    r"चुनौती|चुनौतियां)"
)
_PROBLEM_PRE = (
    r"(?:main|biggest|major|key|primary|real|sabse\s+bada|sabse\s+badi|sabse\s+badi|badi|bada|asli|inka|unka|inki|"
    r"unki|inke|unke|their|ek|one|only|मुख्य|सबसे\s+बड़ी|सबसे\s+बड़ा|असली|उनकी|उनका|इनकी|इनका|बड़ी|बड़ा)"
)
_THAT = r"(?:hai\s+ki|hai\s+k|h\s+ki|he\s+ki|hain\s+ki|is\s+that|are\s+that|है\s+कि|हैं\s+कि|है\s+की)"

INDUSTRY_WORDS = frozenset(
    _words(
        "manufacturing mfg manufacturer manufacturers trading traders trade distribution distributor distributors "
        "dealer dealers dealership wholesale wholesaler retail retailer export exports exporter exporters import "
        "imports importer textile textiles garment garments apparel apparels knitwear hosiery fabric fabrics yarn "
        "spinning weaving pharma pharmaceutical pharmaceuticals api chemical chemicals healthcare hospital "
        "hospitals diagnostics diagnostic clinic clinics education school schools coaching hospitality hotel hotels "
        "restaurant restaurants food foods fmcg dairy ghee oil oils spices agro agri agriculture seeds fertilizer "
        "fertilizers real estate realty construction infra infrastructure builders cement steel iron metal metals "
        "forging forgings casting castings auto automobile automobiles automotive spares spare parts engineering "
        "electrical electricals electronics it logistics transport transportation shipping courier packaging "
        "printing paper plastic plastics polymer polymers rubber furniture interiors interior jewellery jewelry "
        "gems diamond diamonds cosmetics fashion footwear leather ceramics ceramic tiles sanitary sanitaryware "
        "hardware paints paint solar energy power sweets bakery kirana grocery fmcg durables pumps machinery "
        "machine tools fasteners bearings cables wires coir jute tea coffee rice flour sugar beverages security "
        "staffing consulting consultancy finance insurance nbfc media advertising events travel tourism edtech "
        "pharmacy medical medicines surgical devices optical opticals mobile mobiles telecom decor home "
        "processing dyes glass granite marble stone timber plywood wood agencies services service contracting "
        "contractor contractors fabrication packaged software saas b2b b2c and aur & + - / of goods consumer "
        "biotech biotechnology r&d research fintech healthtech hospitality saas it-services "
        "moulding molding injection mill mills atta dal besan maida oilseeds n developer developers "
        "industrial kapda kapde cloth saree sarees readymade mandi commodity commodities grains pulses "
        "कपड़ा कपड़े टेक्सटाइल फार्मा स्टील होलसेल किराना रिटेल ट्रेडिंग मैन्युफैक्चरिंग एक्सपोर्ट कंस्ट्रक्शन "
        "इलेक्ट्रिकल ज्वेलरी फर्नीचर मसाले डेयरी घी तेल ऑटो पार्ट्स केमिकल और"
    )
)
_INDUSTRY_TAIL = r"(?:industry|business|sector|space|line|field|इंडस्ट्री|उद्योग|सेक्टर|बिज़नेस|बिजनेस)"

# -- clauses ----------------------------------------------------------------------------------------------------

_SEP = re.compile(rf"[\n;,!?()\[\]|{_EMOJI}।]+|:(?!\d)|\s/\s|\s*[-–—]+\s|\s[-–—]+(?=\S)|—|\.(?=\s|$)", re.I)
_HARD = re.compile(rf"[\n;!?|{_EMOJI}।]|\s/\s|\s[-–—]+\s|—|\.(?=\s|$)")
_ABBREV = frozenset(
    _words("no nos st dr mr mrs ms sy h opp nr pvt ltd co rd sr jr smt shri m/s ph mob approx bldg apt vs ind")
)


def _is_abbrev_dot(text: str, dot: int) -> bool:
    m = re.search(r"([\w/]+)$", text[:dot])
    return m is not None and (m.group(1).casefold() in _ABBREV or len(m.group(1)) == 1)


def _clauses(text: str) -> list[tuple[int, int]]:
    """The message cut at its separators (commas, slashes between spaces, dashes, full stops…)."""
    out: list[tuple[int, int]] = []
    pos = 0
    for m in _SEP.finditer(text):
        if m.group(0) == "." and _is_abbrev_dot(text, m.start()):
            continue
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = max(pos, m.end())
    if pos < len(text):
        out.append((pos, len(text)))
    trimmed = []
    for s, e in out:
        piece = text[s:e]
        lead = len(piece) - len(piece.lstrip(" \t*_\"'“”"))
        trail = len(piece) - len(piece.rstrip(" \t*_\"'“”"))
        if e - trail > s + lead:
            trimmed.append((s + lead, e - trail))
    return trimmed


def _hard_end(text: str, pos: int) -> int:
    """Where a labelled value must stop at the latest: a line end, a semicolon, a ` / `, a dash, a full stop."""
    for m in _HARD.finditer(text, pos):
        if m.group(0) == "." and _is_abbrev_dot(text, m.start()):
            continue
        if m.start() <= pos:
            continue
        return m.start()
    return len(text)


def _comma_end(text: str, pos: int, end: int) -> int:
    m = re.compile(r"[,:(]").search(text, pos, end)
    return m.start() if m else end


# -- values -----------------------------------------------------------------------------------------------------

_TRAIL = _rx(
    r"(?:\s+|^)(?:hai|hain|he|h|hn|hai\s+ji|है|हैं|approx\.?|approximately|around|lagbhag|लगभग|only|ji|already|bhi|"
    r"sab|sab\s*kuch|etc\.?|bol\s+rahe\s+the|bola|bole|ka\s+staff|ki\s+team|की|ki|ka|ke|का|के)\s*$"
)
_TRAIL_PROBLEM = _rx(r"(?:\s+|^)(?:bol\s+rahe\s+the|bola|bole|etc\.?|ji)\s*$")
_LEAD_FILL = _rx(
    r"(?:(?:aur|and|also|but|plus|bhi|sab\s*kuch|sab|abhi|inka|unka|inki|unki|inke|unke|woh|wo|ye|yeh|log|they|"
    r"their|basically|mainly|mostly|bol\s+rahe\s+(?:the|hai|hain)|bola|bole|keh\s+rahe\s+the|said|says|ke\s+yahan|"
    r"इनका|उनका|इनकी|उनकी|इनके|उनके|ये|वो|लोग|और|भी|सब\s*कुछ|सब)\s+)+"
)
_BAD_START = _rx(
    r"^(?:ka|ki|ke|ko|se|me|mein|mai|pe|par|of|in|on|for|to|the|a|an|nahi|nhi|nahin|not|kya|kaisa|kaise|kitna|"
    r"kitni|kab|kahan|what|which|how|where|bhej\w*|send|share|pls|please|batao|bata|dekh\w*|chahiye|mil\w*|"
    r"details?|info|information|के|का|की|को|से|में|पे|पर|नहीं|क्या|कितना|कितनी|कहाँ|कहां|भेज\w*|बताओ|बता|चाहिए|चला|चल|कि|ki|डिटेल\w*)(?![\w\-"
    + _DEV
    + "])"
)
_REQUEST = _rx(
    r"\?|(?:^|\s)(?:bhejo|bhej\s+do|bhejna|send|share\s+kar\w*|batao|bata\s+do|pata\s+karo|chahiye|kya\s+hai|"
    r"kitna|what|which|confirm\s+kar\w*|भेजो|भेज\s+दो|बताओ|चाहिए|क्या\s+है|कितना)(?![\w" + _DEV + "])"
)
_VERBISH = _rx(
    r"(?:^|\s)(?:hai|hain|he|है|हैं|kar|karo|kar\s+do|karna|karte|karta|ko|ne|bhejo|meeting|demo|call|kal|aaj|"
    r"will|please|pls|handle|assign\w*|dekhega|dekhegi|owner|contact|baje|log|staff|employees|cr|crore|lakh|"
    r"turnover|using|use|tally|excel|problem|issue|करो|को|ने|बजे|मीटिंग|डेमो|कल|आज)(?![\w" + _DEV + "])"
)
_COMMANDISH = _rx(
    r"(?:^|\s)(?:assign\w*|handle|dekhega|dekhegi|dekhenge|de\s+do|ko\s+do|kar\s+do|karo|pls|please|will\s+take|"
    r"owner|meeting|demo|kal|aaj|tomorrow|today|baje|देखेगा|देखेगी|दे\s+दो|करो|मीटिंग|डेमो|कल|आज)(?![\w" + _DEV + "])"
)


def _clean(value: str, field: str = "") -> str:
    value = strip_edges(value)
    trail = _TRAIL_PROBLEM if field == "challenges" else _TRAIL
    for _ in range(3):
        new = strip_edges(trail.sub("", value))
        if new == value:
            break
        value = new
    return value


# -- candidates -------------------------------------------------------------------------------------------------

SURE, LEAD, BARE = 2, 1, 0  # how much a candidate needs around it: nothing, a lead/details message, a sure detail


@dataclass
class _Cand:
    field: str
    start: int
    end: int
    vstart: int
    vend: int
    labelled: bool
    rank: int

    def overlaps(self, other: _Cand) -> bool:
        return self.start < other.end and other.start < self.end


class _Text:
    """A message with its clauses, for the detectors."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.low = folded(text)  # for the patterns' gates
        self.clauses = _clauses(text)

    def clause_at(self, pos: int) -> tuple[int, int]:
        for s, e in self.clauses:
            if s <= pos < e:
                return s, e
        return pos, pos

    def clause_index(self, pos: int) -> int:
        for i, (s, e) in enumerate(self.clauses):
            if s <= pos < e:
                return i
        return -1


_GATES: dict[int, Gate] = {}  # by id: a pattern's own hash reads its whole compiled code
_DIGIT = re.compile(r"\d")


def _gate(rx: re.Pattern[str]) -> Gate:
    """The gate of one pattern (built on first use)."""
    gate = _GATES.get(id(rx))
    if gate is None:
        gate = _GATES[id(rx)] = Gate(rx)
    return gate


def _finditer(t: _Text, rx: re.Pattern[str]) -> Iterator[re.Match[str]]:
    """The pattern's matches in the message; none without a scan when the message lacks all its needles."""
    return rx.finditer(t.text) if _gate(rx).open(t.low) else iter(())


def _cand(
    field: str, span: tuple[int, int], value: tuple[int, int], labelled: bool, rank: int, text: str
) -> _Cand | None:
    vs, ve = value
    raw = text[vs:ve]
    cleaned = _clean(raw, field)
    if not cleaned:
        return None
    off = raw.find(cleaned)
    if off >= 0:
        vs, ve = vs + off, vs + off + len(cleaned)
    return _Cand(field, min(span[0], vs), max(span[1], ve), vs, ve, labelled, rank)


# turnover ------------------------------------------------------------------------------------------------------

RE_TURNOVER_AFTER_KW = _rx(
    rf"{WL}(?P<kw>{_TURNOVER_KW}){WR}[*_]*(?:\s*[:=\-–~]+\s*|\s+)(?:{_TURNOVER_FILL}\s+){{0,3}}(?P<amt>{_AMOUNT})"
    r"(?P<tail>(?:\s+(?:hai|hain|है|approx\.?|approximately|around|lagbhag|लगभग|only|ke\s+aas\s*paas|p\.?a\.?))*)"
)
RE_TURNOVER_BEFORE_KW = _rx(
    rf"(?P<amt>{_AMOUNT})\s*(?:(?:ka|ki|ke|का|की|के|of|annual|yearly|saal\s+ka|salana|सालाना|per\s+annum)\s+)*"
    rf"(?:(?P<kw>{_TURNOVER_KW}|(?:business|bijness|बिज़नेस|बिजनेस|dhandha|धंधा)(?=\s+(?:hai|है|karte|करते|hota|होता))))"
    rf"{WR}"
)
# `100 cr ki company hai`: the size of the company
RE_TURNOVER_COMPANY = _rx(rf"(?P<amt>{_AMOUNT})\s*(?:ki|ka|की|का)\s+(?:company|firm|group|कंपनी|फर्म){WR}")
# `sales around 25 cr`: sales in crores read as the turnover when the message is about the lead's details
RE_TURNOVER_SALES = _rx(rf"{WL}(?:sales|सेल्स)\s*(?:[:=\-–~]+\s*|\s+(?:is\s+|of\s+|hai\s+)?)(?P<amt>{_AMOUNT})")
# `12-15 cr a year`: a yearly amount in crores is the size of the business (not an AMC, a fee or a budget)
RE_TURNOVER_YEARLY = _rx(
    rf"(?P<amt>{_AMOUNT})\s*(?:a\s+year|per\s+year|per\s+annum|p\.\s?a\.?|annually|yearly|every\s+year|"
    rf"saal\s+ka|har\s+saal|salana|सालाना|हर\s+साल|प्रति\s+वर्ष){WR}"
)
_NOT_TURNOVER = _rx(
    r"(?:amc|subscription|licen[cs]e|fee|fees|rent|salary|package|ctc|budget|quote|quotation|qtn|price|pricing|"
    r"cost|charges|payment|order|po|deal|contract|bill|invoice|emi|loan|kiraya|किराया|बजट)(?![\w\u0900-\u097f])"
)
RE_BARE_AMOUNT = _rx(rf"^(?P<amt>{_AMOUNT})(?:\s+(?:hai|है|approx\.?|around|ka|tak))*$")
# The unit an amount ends with (`(?-i:L)` is case-sensitive, so no folded-text needle can stand for it).
RE_UNIT = _rx(rf"{_MONEY_UNIT}{WR}")


def _turnover(t: _Text) -> list[_Cand]:
    text, out = t.text, []
    if not RE_UNIT.search(text):
        return []  # every turnover shape holds an amount, and every amount its unit
    for m in _finditer(t, RE_TURNOVER_AFTER_KW):
        c = _cand("turnover", (m.start("kw"), m.end()), m.span("amt"), True, SURE, text)
        if c:
            out.append(c)
    for m in _finditer(t, RE_TURNOVER_BEFORE_KW):
        c = _cand("turnover", m.span(), m.span("amt"), False, SURE, text)
        if c:
            out.append(c)
    for m in _finditer(t, RE_TURNOVER_COMPANY):
        c = _cand("turnover", m.span(), m.span("amt"), False, SURE, text)
        if c:
            out.append(c)
    for m in _finditer(t, RE_TURNOVER_SALES):
        cs, ce = t.clause_at(m.start())
        crores = re.search(r"cr|crore|करोड़|करोड़|करोड|million|mn|bn|billion", m.group("amt"), re.I)
        if crores and not _NOT_TURNOVER.search(text[cs:ce]):
            c = _cand("turnover", m.span(), m.span("amt"), False, BARE, text)
            if c:
                out.append(c)
    for m in _finditer(t, RE_TURNOVER_YEARLY):
        cs, ce = t.clause_at(m.start())
        if not re.search(r"cr|crore|करोड़|करोड़|करोड|million|mn|bn|billion", m.group("amt"), re.I):
            continue
        if _NOT_TURNOVER.search(text[cs:ce]):
            continue
        c = _cand("turnover", m.span(), m.span("amt"), False, SURE, text)
        if c:
            out.append(c)
    for s, e in t.clauses:
        bare = RE_BARE_AMOUNT.match(text[s:e])
        if bare:
            c = _cand("turnover", (s, e), (s + bare.start("amt"), s + bare.end("amt")), False, BARE, text)
            if c:
                out.append(c)
    return out


# team size -----------------------------------------------------------------------------------------------------

RE_HEADCOUNT = _rx(
    rf"(?P<cnt>{_COUNT}){_ABOUT_AFTER}\s*(?:(?P<mod>{_MOD})\s+)?(?P<head>{_HEAD}){WR}"
    rf"(?P<tail>(?:\s+{_OF})?(?:\s+{_TEAMWORD})?(?:\s+(?:hai|hain|है|हैं))?{WR})"
)
RE_TEAM_N = _rx(
    rf"{WL}(?P<kw>team\s+size|team\s+strength|staff\s+strength|team|staff|headcount|head\s+count|strength|"
    rf"employees|employee\s+count|no\.?\s+of\s+employees|number\s+of\s+employees|total\s+employees|"
    rf"टीम\s+साइज़?|टीम|स्टाफ|कर्मचारी){WR}[*_]*"
    rf"(?:\s*(?:[:=\-–~]+|of|is|hai|है|ki|ka|about|around)?\s*)(?P<cnt>{_COUNT}{_ABOUT_AFTER})"
    rf"(?:\s*(?:(?P<mod>{_MOD})\s+)?(?P<head>{_HEAD}){WR})?"
)
RE_N_TEAM = _rx(
    rf"(?P<cnt>{_COUNT})\s*(?:(?P<head>{_HEAD_WEAK}|member|log)\s*)?(?:{_OF}\s*)?(?:[\s-]*)(?:team|टीम|(?<=\s)(?:staff|स्टाफ)){WR}"
)


def _team(t: _Text) -> list[_Cand]:
    text, out = t.text, []
    if not _DIGIT.search(text):
        return []  # every head-count has a number in digits
    for m in _finditer(t, RE_HEADCOUNT):
        weak = re.fullmatch(_HEAD_WEAK, m.group("head"), re.I) is not None
        after = text[m.end() :]
        before = text[max(0, m.start() - 20) : m.start()]
        if _TIME_AFTER.match(after):
            continue
        if weak and not m.group("tail").strip() and _NOT_TEAM_AFTER.match(after):
            continue
        if (_NOT_TEAM_BEFORE if weak else _NOT_STAFF_BEFORE).search(before):
            continue
        tail = m.group("tail")
        if re.search(rf"{_OF}\s*$", tail, re.I) and not _TEAM_OF_OK.match(after):
            continue
        if re.match(_NUMWORD, m.group("cnt"), re.I) and weak:
            continue
        c = _cand("team_size", m.span(), (m.start("cnt"), m.end("head")), False, SURE, text)
        if c:
            out.append(c)
    for m in _finditer(t, RE_TEAM_N):
        after = text[m.end() :]
        if _TIME_AFTER.match(after):
            continue
        if m.group("head") is None:
            # `team 4 …`: only a clause end, `+` or a filler may follow the number
            if not re.match(
                rf"^\s*(?:$|[,;/|.)\n+*]|\s[-–—]|(?:hai|hain|है|हैं|{_OF}|log|members|people)(?![\w{_DEV}]))", after, re.I
            ):
                continue
        elif re.fullmatch(_HEAD_WEAK, m.group("head"), re.I) and _NOT_TEAM_AFTER.match(after):
            continue
        vend = m.end("head") if m.group("head") else m.end("cnt")
        c = _cand("team_size", m.span(), (m.start("cnt"), vend), True, SURE, text)
        if c:
            out.append(c)
    for m in _finditer(t, RE_N_TEAM):
        if _NOT_TEAM_BEFORE.search(text[max(0, m.start() - 20) : m.start()]):
            continue
        vend = m.end("head") if m.group("head") else m.end("cnt")
        c = _cand("team_size", m.span(), (m.start("cnt"), vend), False, SURE, text)
        if c:
            out.append(c)
    return out


# current system ------------------------------------------------------------------------------------------------

RE_SYS_USE_BEFORE = _rx(
    rf"{WL}(?P<verb>currently\s+using|currently\s+use|are\s+using|is\s+using|using|uses|use|run\s+on|runs\s+on|"
    rf"running\s+on|work\s+on|works\s+on|working\s+on){WR}\s+(?:the\s+|a\s+)?(?P<sys>{_SYS_COMBO})"
)
RE_SYS_ON = _rx(
    rf"{WL}(?P<verb>are\s+on|is\s+on|currently\s+on|still\s+on|still\s+using|abhi\s+bhi|have|has|having){WR}\s+(?:the\s+|a\s+)?(?P<sys>{_SYS_STRONG_COMBO})"
)
RE_SYS_GENERIC = re.compile(
    rf"{WL}(?P<verb>currently\s+using|(?:are|is)\s+using|using|uses)\s+"
    rf"(?P<sys>(?-i:[A-Z][\w.+-]*(?:\s+[A-Z0-9][\w.+-]*){{0,2}})(?:\s+(?:software|erp|app|crm|system))?)"
    r"(?=\s*(?:$|[,;/|.\n]|\s(?:and|but|for|aur|lekin|se)\b))",
    re.I,
)
# `using some local billing software`: what a system is, when it has no name
RE_SYS_DESCRIBED = _rx(
    rf"{WL}(?:currently\s+using|(?:are|is)\s+using|using|uses|use\s+karte\s+hain?)\s+"
    rf"(?P<sys>(?:(?:some|a|an|one|their\s+own|own|local|old|purana|desi|basic|simple|custom|in-?house|billing|"
    rf"accounting|inventory|pos|cloud|desktop|offline|online|free|cheap)\s+){{1,4}}"
    rf"(?:billing\s+)?(?:software|erp|app|system|tool|crm|program))(?=\s*(?:$|[,;/|.\n]|\s(?:and|but|for|aur|se)\b))"
)
RE_SYS_GENERIC_AFTER = re.compile(
    rf"(?<![\w.])(?P<sys>(?-i:[A-Z][A-Za-z0-9.+-]{{2,}}(?:\s+[A-Z0-9][\w.+-]*){{0,2}}))\s+(?:software\s+|app\s+)?(?P<verb>{_USE_AFTER})",
    re.I,
)
RE_SYS_USE_AFTER = _rx(rf"(?P<sys>{_SYS_COMBO})\s*(?:(?:sheets?|ka|ki|का|की)\s+)?(?P<verb>{_USE_AFTER})")
RE_SYS_RUN_AFTER = _rx(
    rf"(?P<sys>{_SYS_COMBO})\s*(?:(?:pe|par|pr|me|mein|mai|se|पे|पर|में|से)\s+)?"
    rf"(?:(?:hi|sab\s*kuch|sabkuch|sab|saara|saari|poora|pura|ही|सब\s*कुछ|सब)\s+)?(?P<verb>{_RUN_AFTER})"
)
RE_SYS_PE_HAI = _rx(rf"(?P<sys>{_SYS_STRONG_COMBO})\s*(?:pe|par|पे|पर)\s+(?P<verb>hain|hai|h|hn|है|हैं){WR}")
# `busy pe hai`: a weak name with `pe hai` only counts next to a sure detail (`Rahul busy hai` has no `pe`)
RE_SYS_PE_HAI_WEAK = _rx(
    rf"{WL}(?P<sys>(?:busy|marg|manual|registers?|बिज़ी|बिजी|रजिस्टर){_SYS_SUFFIX})\s*(?:pe|par|पे|पर)\s+(?:hain|hai|h|hn|है|हैं){WR}"
)
RE_BARE_SYSTEM = _rx(
    rf"^(?:(?:abhi|currently|sab|they\s+have|already|sys|system|software|s/w|erp|purana|old)\s+)*"
    rf"(?P<sys>{_SYS_STRONG_COMBO})"
    r"(?:\s+(?:hai|hain|h|है|हैं|already|pehle\s+se|use|chalta|chalate))*(?:\s+already)?$"
)
RE_ALL_MANUAL = _rx(
    rf"{WL}(?:sab\s*kuch|sab|everything|all|poora\s+kaam|pura\s+kaam|saara\s+kaam|सब\s*कुछ|सब|सारा\s+काम)\s+(?:is\s+)?"
    rf"(?:abhi\s+)?(?P<sys>(?:manual(?:ly)?|मैन्युअल)(?:\s+(?:registers?|diary|paper|रजिस्टर))?|on\s+paper|"
    rf"paper\s+(?:pe|par)|हाथ\s+से)\s*(?:(?:me|mein|में|pe|par)\s+)?(?:karte\s+hain?\s+)?"
    rf"(?:hai|hota\s+hai|hoti\s+hai|chalta\s+hai|है|होता\s+है|done|karte\s+hain|hota|chalta)?{WR}"
)
RE_BUT = _rx(r"^\s*[,]?\s*(?:but|lekin|par|magar|however|पर|लेकिन|मगर)\s+(?P<v>[^,;/|.\n!?]+)")


def _sys_ok(t: _Text, start: int, end: int) -> bool:
    cs, ce = t.clause_at(start)
    before = t.text[max(cs, start - 40) : start]
    after = t.text[end : min(max(ce, end), end + 30)]
    if _SYS_NEG.search(before) or _PAST_AFTER.match(after):
        return False
    return not re.match(r"^\s*(?:le\s+li|le\s+liya|kharid|liya|ले\s+लिया|nahi|नहीं|the\b|थे)", after, re.I)


def _system(t: _Text) -> list[_Cand]:
    text, out = t.text, []
    sure = (RE_SYS_USE_BEFORE, RE_SYS_ON, RE_SYS_USE_AFTER, RE_SYS_RUN_AFTER, RE_SYS_PE_HAI)
    for rx in sure:
        for m in _finditer(t, rx):
            if not _sys_ok(t, m.start(), m.end()):
                continue
            c = _cand("current_system", m.span(), m.span("sys"), False, SURE, text)
            if c:
                out.append(c)
                out.extend(_but_problem(t, m.end()))
    for m in _finditer(t, RE_ALL_MANUAL):
        cs, ce = t.clause_at(m.start())
        if "?" in text[m.end() : ce + 1] or _REQUEST.search(text[cs:ce]):
            continue
        c = _cand("current_system", m.span(), m.span("sys"), False, SURE, text)
        if c:
            out.append(c)
    for m in _finditer(t, RE_SYS_DESCRIBED):
        if _sys_ok(t, m.start(), m.end()) and not _OUR_PRODUCT.search(m.group("sys")):
            c = _cand("current_system", m.span(), m.span("sys"), False, SURE, text)
            if c:
                out.append(c)
    for m in _finditer(t, RE_SYS_GENERIC_AFTER):
        if not m.group("sys")[:1].isupper() or not _sys_ok(t, m.start(), m.end()):
            continue  # a name is written with a capital (`Practo use karte hain`)
        c = _cand("current_system", m.span(), m.span("sys"), False, BARE, text)
        if c:
            out.append(c)
    for m in _finditer(t, RE_SYS_GENERIC):
        name = m.group("sys")
        if _SYS_NEG.search(text[max(0, m.start() - 40) : m.start()]) or _SYS_NEG.search(name):
            continue
        c = _cand("current_system", m.span(), m.span("sys"), False, BARE, text)
        if c:
            out.append(c)
    for m in _finditer(t, RE_SYS_PE_HAI_WEAK):
        if _sys_ok(t, m.start(), m.end()):
            c = _cand("current_system", m.span(), m.span("sys"), False, BARE, text)
            if c:
                out.append(c)
    for s, e in t.clauses if _gate(RE_BARE_SYSTEM).open(t.low) else ():
        bare = RE_BARE_SYSTEM.match(text[s:e])
        if bare and _sys_ok(t, s + bare.start("sys"), e):
            c = _cand("current_system", (s, e), (s + bare.start("sys"), s + bare.end("sys")), False, BARE, text)
            if c:
                out.append(c)
    return out


def _but_problem(t: _Text, pos: int) -> list[_Cand]:
    """`sap use karte hain but bahut costly lagta hai`: what follows a `but` after the system is a challenge."""
    rest = t.text[pos:]
    tail = re.match(r"^(?:\s+(?:hain|hai|है|हैं|already))*", rest, re.I)
    off = tail.end() if tail else 0
    m = RE_BUT.match(rest[off:])
    if not m:
        return []
    s = pos + off + m.start("v")
    e = pos + off + m.end("v")
    c = _cand("challenges", (pos + off, e), (s, e), False, SURE, t.text)
    return [c] if c and len(c_words := t.text[c.vstart : c.vend].split()) >= 2 and len(c_words) <= 15 else []


# challenges ----------------------------------------------------------------------------------------------------

RE_PROBLEM = _rx(
    rf"{WL}(?:(?P<pre>{_PROBLEM_PRE})\s+)?(?:(?:ek|one|the|sabse|bahut)\s+)?(?:(?:bada|badi|bigger|big)\s+)?"
    rf"(?P<kw>{_PROBLEM_KW}){WR}[*_]*(?:\s+(?:ye|yeh|yah|ye\s+hi|यह|ये|yahi|यही))?"
    rf"(?P<conn>\s*{_THAT}\s*|\s+(?:is|are|hai|hain|है|हैं)\s+|\s*[:=\-–]+\s*|\s+)"
)
RE_OF_PROBLEM = _rx(
    rf"(?P<kw>\s+{_OF}\s+(?:bahut\s+|bada\s+|badi\s+)?(?:problem|issue|dikkat|pareshani|प्रॉब्लम|दिक्कत|समस्या|परेशानी)"
    rf"(?:\s+(?:hai|hain|है|हैं|rehta|rehti|रहती|रहता)))(?:\s+(?:hai|है))?{WR}"
)
RE_IN_PROBLEM = _rx(
    rf"\s+(?:me|mein|mai|में|se|से)\s+(?:bahut\s+|kaafi\s+|badi\s+|बहुत\s+|काफी\s+)?"
    rf"(?:problem|problems|issue|issues|dikkat|dikkatein|pareshani|प्रॉब्लम|दिक्कत|दिक्कतें|परेशानी|समस्या)"
    rf"(?:\s+(?:aati|hoti|aa\s+rahi|ho\s+rahi|hai|h|rehti|आती|होती|आ\s+रही|हो\s+रही|है|रहती)(?:\s+(?:hai|h|है))?|(?=\s*$|\s*[,;/|.\n]))"
    rf"{WR}"
)
RE_IS_PROBLEM = _rx(
    rf"\s+(?:is|are|hai|h|है)\s+(?:a\s+|the\s+)?(?:big|major|main|biggest|real|bada|badi|बड़ी|बड़ा)?\s*"
    rf"(?:problem|issue|challenge|headache|pain|concern|dikkat|प्रॉब्लम|दिक्कत)(?:\s+(?:for\s+them|unke\s+liye|hai|है))?{WR}"
)
RE_STRUGGLE = _rx(
    rf"{WL}(?:(?:struggling|struggles?)\s+(?:with|in)\s+|(?:facing|having)\s+(?:(?:a\s+lot\s+of|many|major|some)\s+)?"
    rf"(?P<what>(?:issues?|problems?|difficult(?:y|ies)|challenges?|trouble)\s+(?:with|in|on|of)\s+))"
)
_COMPLAINT = _rx(
    r"(?:(?:nahi|nhi|na)\s+(?:aata|aati|milta|milti|milte|hota|hoti|hote|ho\s*pata|ho\s*paata|ho\s*pati|"
    r"ho\s*paati|pata\s*chalta|pata\s*chalti|chalta|chalti)"
    r"|(?:late|der|delay|miss|mismatch|galat|gadbad|leak|kharab|slow)\s+(?:ho\s*(?:jata|jaata|jati|"
    r"jaati|jate|jaate)|hota|hoti|hote|milta|milti|milte|ho\s*pata|ho\s*paata|ho\s*pati|ho\s*paati|pata\s*chalta|"
    r"pata\s*chalti|chalta|chalti|aata|aati|lagta|lagti|hai)"
    r"|(?:लेट|देर|मिस|गलत|गड़बड़|नहीं)\s*(?:हो\s*(?:जाता|जाती|जाते)|होता|होती|होते|मिलता|मिलती|मिलते|हो\s*पाता|हो\s*पाती|"
    r"चलता|चलती|पता\s*चलता)"
    r"|no\s+visibility|lack\s+of|difficult\s+to|hard\s+to|unable\s+to|not\s+able\s+to|can'?t\s+track|cannot\s+track|"
    r"delays?\s+in|delayed|leakage|mismatch|missed|too\s+costly|expensive|manual\s+errors?)"
)
_NOT_COMPLAINT = _rx(
    r"(?:^|\s)(?:phone|call|calls|reply|response|switched|msg|message|number|meeting|demo|baat|quotation|quote|network|"
    r"proposal|po|order|budget|फ़ोन|फोन|कॉल|जवाब|मीटिंग|डेमो)(?![\w" + _DEV + "])"
)
# The lead not picking up is a note about the follow-up, not a challenge of the business.
_CONTACT_TROUBLE = _rx(
    r"(?:phone|call|fone|फोन|फ़ोन|कॉल)\s+(?:nahi|nhi|na|नहीं)\s+(?:utha|uthate|uthaya|lag|lagta|lag\s+raha|उठा|लग)|"
    r"not\s+(?:picking|answering|reachable|responding)|no\s+(?:response|reply|answer)|switched\s+off|"
    r"(?:reply|response|jawab|जवाब)\s+(?:nahi|nhi|नहीं)|(?:phone|call)\s+(?:band|off|busy)"
)
_POSSESSIVE = _rx(r"inka|unka|inki|unki|inke|unke|their|ek|one|उनकी|उनका|इनकी|इनका")
_RESOLVED = _rx(
    r"(?:solve|solved|resolve|resolved|fix|fixed|sort|sorted|khatam|hal|ho\s+gay[ai]|clear|हल|खत्म|सॉल्व)(?![\w\u0900-\u097f])"
)
# Trouble with our own product (login, demo, app) is a support note, not the lead's business challenge.
_OUR_PRODUCT = _rx(
    r"(?:^|\s)(?:demo|login|log\s+in|password|otp|trial|our|hamara|hamare|hamari|apna|onboarding|installation|"
    r"डेमो|लॉगिन|पासवर्ड)(?![\w\u0900-\u097f])"
)
_DEAL_OUTCOME = _rx(
    r"(?:^|\s)(?:lost|not\s+interested|went\s+with|drop\s+kar\w*|competitor|लॉस्ट|won|deal\s+final|closed)(?![\w"
    + _DEV
    + "])"
)


def _challenges(t: _Text) -> list[_Cand]:
    text, out = t.text, []
    for m in _finditer(t, RE_PROBLEM):
        conn = m.group("conn")
        cs, ce = t.clause_at(m.start("kw"))
        at_clause_start = not text[cs : m.start()].strip(" *_")
        that = re.search(_THAT, conn, re.I) is not None
        word_conn = conn.strip() != ""
        if _SIGN.search(conn):
            continue  # `Challenges: a, b` is a label: its value may run over commas
        pre = (m.group("pre") or "").casefold()
        superlative = bool(pre) and not _POSSESSIVE.fullmatch(pre)
        if not (that or superlative or ((pre or at_clause_start) and word_conn)):
            continue
        vs = m.end()
        ve = ce if ce > vs else _comma_end(text, vs, _hard_end(text, vs))
        value = text[vs:ve]
        if not value.strip() or _BAD_START.match(value.strip()) or _REQUEST.search(value):
            continue
        if _CONTACT_TROUBLE.search(value) or _RESOLVED.match(value.strip()) or _OUR_PRODUCT.search(value):
            continue
        c = _cand("challenges", (m.start(), ve), (vs, ve), True, SURE, text)
        if c:
            out.append(c)
    for m in _finditer(t, RE_OF_PROBLEM):
        cs, _ = t.clause_at(max(0, m.start() - 1))
        lead = _LEAD_FILL.match(text, cs, m.start())
        vs = lead.end() if lead else cs
        subject = text[vs : m.start()]
        if not 1 <= len(subject.split()) <= 6 or any(ch.isdigit() for ch in subject):
            continue
        if _NOT_COMPLAINT.search(subject) or _OUR_PRODUCT.search(subject) or _CONTACT_TROUBLE.search(subject):
            continue  # `network ka problem hai`, `login ka issue`: a note about the call or our product
        kw_end = m.start("kw") + len(m.group("kw").rstrip())
        value_end = re.search(r"\s+(?:hai|hain|है|हैं|rehta|rehti|रहती|रहता)\s*$", text[vs:kw_end], re.I)
        ve = vs + value_end.start() if value_end else kw_end
        c = _cand("challenges", (vs, m.end()), (vs, ve), False, LEAD, text)
        if c:
            out.append(c)
    for m in _finditer(t, RE_IN_PROBLEM):
        cs, _ = t.clause_at(max(0, m.start()))
        lead = _LEAD_FILL.match(text, cs, m.start())
        vs = lead.end() if lead else cs
        words = text[vs : m.start()].split()
        subject = text[vs : m.start()]
        if 1 <= len(words) <= 6 and not _NOT_COMPLAINT.search(subject) and not _OUR_PRODUCT.search(subject):
            c = _cand("challenges", (vs, m.end()), (vs, m.end()), False, LEAD, text)
            if c:
                out.append(c)
    for m in _finditer(t, RE_IS_PROBLEM):
        cs, ce = t.clause_at(max(0, m.start()))
        if text[m.end() : ce].strip():
            continue
        lead = _LEAD_FILL.match(text, cs, m.start())
        vs = lead.end() if lead else cs
        subject = text[vs : m.start()]
        if 1 <= len(subject.split()) <= 6 and not _NOT_COMPLAINT.search(subject) and not _OUR_PRODUCT.search(subject):
            c = _cand("challenges", (vs, m.end()), (vs, m.end()), False, LEAD, text)
            if c:
                out.append(c)
    for m in _finditer(t, RE_STRUGGLE):
        _, ce = t.clause_at(m.end())
        value = text[m.end() : ce]
        if ce > m.end() and not _CONTACT_TROUBLE.search(value) and not _OUR_PRODUCT.search(value):
            # `facing issues with X` keeps its `issues with`; `struggling with X` is X
            vs = m.start("what") if m.group("what") else m.end()
            c = _cand("challenges", (m.start(), ce), (vs, ce), False, SURE, text)
            if c:
                out.append(c)
    for s, e in t.clauses if _gate(_COMPLAINT).open(t.low) else ():
        clause = text[s:e]
        if (
            _COMPLAINT.search(clause)
            and not _NOT_COMPLAINT.search(clause)
            and not _CONTACT_TROUBLE.search(clause)
            and not _OUR_PRODUCT.search(clause)
            and len(clause.split()) >= 3
        ):
            lead = _LEAD_FILL.match(clause)
            vs = s + (lead.end() if lead else 0)
            c = _cand("challenges", (s, e), (vs, e), False, LEAD, text)
            if c:
                out.append(c)
    return out


# industry ------------------------------------------------------------------------------------------------------

RE_THEY_ARE_IN = _rx(
    rf"{WL}(?:they|he|she|company|firm|client|party|customer|cust)\s*(?:are|is|r|'re|’re)\s+(?:in|into)\s+(?:the\s+)?"
    rf"(?P<v>[^,;/|.\n!?]{{2,50}}?)(?:\s+{_INDUSTRY_TAIL})?(?=\s*(?:$|[,;/|.\n!?]|\s(?:and|but|with|aur|since|for)\b))"
    rf"(?P<more>\s+(?:and|&|aur|n)\s+[\w-]+(?:\s+[\w-]+)?(?=\s*(?:$|[,;/|.\n!?])))?"
)
RE_KA_KAAM = _rx(
    rf"(?P<kw>\s+{_OF}\s+(?:kaam|kam|kaam\s+dhandha|dhandha|dhanda|business|bijness|vyapar|vyavsay|"
    rf"काम|धंधा|बिज़नेस|बिजनेस|व्यापार|कारोबार|(?P<head>trading|dukaan|dukan|shop|factory|showroom|store|wholesale|"
    rf"retail|manufacturing|export|exports|karkhana|kaarkhana|plant|unit|agency|dealership|distributorship|"
    rf"distribution|दुकान|फैक्ट्री|शोरूम|होलसेल|कारखाना|एजेंसी)))\s+"
    rf"(?:hai|hain|h|hn|karte|karta|karti|krte|chalate|है|हैं|करते|करता|करती|चलाते){WR}"
)
# `Quantiva Health, a hospital chain with ~400 staff`: what the company is, said in passing
RE_A_KIND = _rx(
    rf"(?:^|[,(:\-–]\s*|\s(?:is|are)\s+)(?:a|an)\s+(?P<v>[\w&/-]+(?:\s+[\w&/-]+){{0,3}}?)\s+"
    rf"(?P<head>chain|company|firm|group|business|startup|manufacturer|distributor|dealer|trader|exporter|"
    rf"wholesaler|retailer|supplier|player|brand|unit|mill|house){WR}"
)
# `they are auto parts distributors`, `woh steel ke traders hain`
RE_ROLE = _rx(
    rf"(?P<who>{WL}(?:they\s+are|they're|they\s+r|woh|wo|ye\s+log|woh\s+log|वो|ये\s+लोग|वो\s+लोग)\s+)?"
    rf"(?P<v>[^,;/|.\n!?]{{2,40}}?)\s+(?:(?:ke|के)\s+)?(?P<head>manufacturers?|distributors?|dealers?|traders?|"
    rf"exporters?|wholesalers?|retailers?|suppliers?|stockists?|importers?|mfrs?|निर्माता|डिस्ट्रीब्यूटर|डीलर|"
    rf"ट्रेडर्स|ट्रेडर|होलसेलर|सप्लायर|developers?|builders?|contractors?|fabricators?|processors?)"
    rf"(?:\s+(?P<verb>hain|hai|है|हैं|h))?{WR}"
)
RE_INDUSTRY_TAIL = _rx(
    rf"(?P<kw>\s+(?:industry|sector|इंडस्ट्री|सेक्टर|उद्योग))(?:\s+(?:me|mein|में|se|से|hai|h|है|हैं|ka|ki|का|की)){{0,2}}{WR}"
)
RE_BIZ_TAIL = _rx(
    rf"(?P<kw>\s+(?:business|bijness|trade|dhandha|बिज़नेस|बिजनेस|धंधा))(?:\s+(?:hai|है|hain|हैं|karte|करते))?{WR}"
)
RE_MAKE = _rx(rf"(?P<kw>\s+(?:banate|bnate|manufacture\s+karte|बनाते|बनाता)(?:\s+(?:hain|hai|है|हैं))?){WR}")
_NOT_INDUSTRY = frozenset(
    _words(
        "mera meri mere tera teri uska uski iska iski apna apni hamara humara tumhara aapka kal aaj wala wali wale "
        "hamare hamari humare our my apne sales team office ghar ye yeh wo woh to toh bhi sirf baaki follow call "
        "demo meeting kuch koi sab "
        "मेरा मेरी तेरा उसका इसका आज कल वाला वाली कुछ कोई सब"
    )
)


_ROLE_WHO = _rx(r"(?:they\s+are|they're|they\s+r|woh|wo|ye\s+log|woh\s+log|वो|ये\s+लोग|वो\s+लोग)\s+")
_HONORIFICS = frozenset(_words("ji जी sahab saheb साहब bhai भाई sir सर seth सेठ"))


def _industry_value_ok(value: str, vocab_needed: bool) -> bool:
    words = re.findall(rf"[\w{_DEV}&+/-]+", value)
    if not 1 <= len(words) <= 5 or any(ch.isdigit() for ch in value):
        return False
    low = [w.casefold() for w in words]
    if any(w in _NOT_INDUSTRY for w in low):
        return False
    parts = [p for w in low for p in re.split(r"[/-]", w) if p]
    in_vocab = any(p in INDUSTRY_WORDS for p in parts)
    if vocab_needed and not in_vocab:
        return False
    # A capitalised single word is a name (`Priya ka kaam hai`), unless it is a known line of business.
    return not (len(words) == 1 and words[0][:1].isupper() and not in_vocab)


def _industry(t: _Text) -> list[_Cand]:
    text, out = t.text, []
    for m in _finditer(t, RE_THEY_ARE_IN):
        v = m.group("v")
        tail = text[m.end("v") : m.end()]
        if not _industry_value_ok(v, vocab_needed=not tail.strip()):
            continue
        vend = m.end("v")
        more = m.group("more")
        if more and all(w.casefold() in INDUSTRY_WORDS for w in more.split()[1:]):
            vend = m.end("more")  # `spice processing and export`
        c = _cand("industry", (m.start(), vend), (m.start("v"), vend), False, SURE, text)
        if c:
            out.append(c)
    shapes = (
        (RE_KA_KAAM, SURE, False),
        (RE_INDUSTRY_TAIL, SURE, False),
        (RE_BIZ_TAIL, SURE, True),
        (RE_MAKE, LEAD, False),
    )
    for rx, rank, vocab in shapes:
        for m in _finditer(t, rx):
            cs, ce = t.clause_at(max(0, m.start("kw")))
            rest = text[m.end() : ce]
            if rx is not RE_KA_KAAM and rest.strip() and not re.fullmatch(r"\s*(?:unka|inka|उनका|इनका)\s*", rest):
                continue  # `sweets industry`, `pipes banate hain` close their clause
            lead = _LEAD_FILL.match(text, cs, m.start("kw"))
            vs = lead.end() if lead else cs
            pre = re.match(r"(?:they\s+are\s+in(?:to)?|in\s+the|in|from)\s+", text[vs : m.start("kw")], re.I)
            if pre:
                vs += pre.end()
            if len(text[vs : m.start("kw")].split()) > 10:
                continue  # a line of business is a few words, not a sentence
            # `Gupta ji ka furniture ka business`: the owner before the line of business is not part of it
            for own in re.finditer(rf"\s+{_OF}\s+", text[vs : m.start("kw")], re.I):
                head = text[vs : vs + own.start()]
                if any(w[:1].isupper() or w.casefold() in _NOT_INDUSTRY | _HONORIFICS for w in head.split()):
                    vs += own.end()
                    break
            dev = re.search(rf"[{_DEV}]", text[vs : m.start("kw")])
            if dev and re.fullmatch(r"[A-Za-z&.\s]+", text[vs : vs + dev.start()] or " "):
                vs += dev.start()  # `Maheshwari Textiles कपड़ा उद्योग में है`: the company name is not the industry
            vend = m.start("kw")
            if rx is RE_KA_KAAM and m.group("head"):
                vend = m.end("head")  # `kapde ki dukaan`: the shop says what the business is
            elif rx is RE_INDUSTRY_TAIL and dev:
                vend = m.end("kw")  # `कपड़ा उद्योग` is the sector's name in Hindi
            value = text[vs : m.start("kw")]
            if not _industry_value_ok(value, vocab):
                continue
            if rx is RE_INDUSTRY_TAIL and not (
                value.islower() or any(w in INDUSTRY_WORDS for w in value.casefold().split())
            ):
                continue
            c = _cand("industry", (vs, m.end()), (vs, vend), False, rank, text)
            if c:
                out.append(c)
    for m in _finditer(t, RE_A_KIND):
        v = m.group("v")
        if not _industry_value_ok(v, True) or any(w[:1].isupper() and not w.isupper() for w in v.split()):
            continue
        cs, _ = t.clause_at(m.start("v"))
        if re.search(r"(?:^|\s)(?:we|we're|we’re|hum|our|i\s+am|i'm)(?:\s|$)", text[cs : m.start("v")], re.I):
            continue  # `we are a software company`: ourselves, not the lead
        keep_head = m.group("head").casefold() not in {"company", "firm", "business", "player", "brand"}
        vend = m.end("head") if keep_head else m.end("v")
        c = _cand("industry", (m.start("v"), m.end()), (m.start("v"), vend), False, SURE, text)
        if c:
            out.append(c)
    for m in _finditer(t, RE_ROLE):
        cs, ce = t.clause_at(m.start("head"))
        if text[m.end() : ce].strip():
            continue
        vs = max(cs, m.start("v"))
        who = _ROLE_WHO.match(text, vs, m.start("head"))
        vs = who.end() if who else vs
        lead = _LEAD_FILL.match(text, vs, m.start("head"))
        vs = lead.end() if lead else vs
        rank = SURE if (who or m.group("verb")) else BARE
        value = text[vs : m.start("head")]
        latin = re.findall(r"[A-Za-z]+", value)
        if any(w[:1].isupper() and not w.isupper() for w in latin) or not _industry_value_ok(value, False):
            continue  # `Sharma Traders hai`: a company's name, not its line of business
        c = _cand("industry", (max(cs, m.start()), m.end()), (vs, m.end("head")), False, rank, text)
        if c:
            out.append(c)
    for s, e in t.clauses:
        tail_hai = re.search(r"\s+(?:hai|h|hain|है|हैं)$", text[s:e], re.I)
        e = s + tail_hai.start() if tail_hai else e
        clause = text[s:e]
        words = re.split(r"[\s/]+", clause.strip())
        mixed_case = clause != clause.casefold() and not all(w.isupper() or w.islower() for w in words)
        if not 1 <= len(words) <= 4 or mixed_case:
            continue  # `Chennai Silks Retail` is a company; a line of business is written in lower case
        if all(w.casefold() in INDUSTRY_WORDS for w in words) and not all(
            w in {"and", "aur", "&", "+", "-", "/", "of", "और"} for w in words
        ):
            c = _cand("industry", (s, e), (s, e), False, BARE, text)
            if c:
                out.append(c)
    return out


# address -------------------------------------------------------------------------------------------------------

RE_ADDRESS_START = _rx(
    r"^(?:(?:plot|shop|survey|sy\.?|s\.|gala|flat|office|unit|door|h\.?|house|khasra|gat|khata|building|bldg|"
    r"प्लॉट|प्लाट|शॉप|दुकान|मकान)\s*(?:no\.?|number|नं\.?|नंबर|#)?\s*[-#:.]?\s*[\d०-९]|no\.\s*\d|#\s*\d|"
    r"\d+\s*(?:st|nd|rd|th)\s+floor|(?:ground|first|second|third|1st|2nd|3rd)\s+floor)"
)
RE_AREA = _rx(
    r"(?:industrial\s+(?:area|estate|zone|park|belt)|\b(?:gidc|midc|sidco|sipcot|riico|kiadb|ida|hsiidc|upsidc|"
    r"dsiidc|apiic|tsiic)\b|\bphase[\s-]?(?:\d+|[ivx]+)\b|\bsector[\s-]?\d+\b|\bmain\s+road\b|\b\w+\s+road\b|"
    r"\b(?:bazaa?r|market|chowk|mandi|nagar|colony|complex|plaza|estate)\b|इंडस्ट्रियल\s+एरिया|बाज़ार|बाजार|चौक|मंडी|फेज)"
)
RE_LOCATED = _rx(
    rf"{WL}(?:(?:office|factory|shop|godown|plant|unit|showroom|warehouse|dukaan|dukan)\s+(?P<is>is\s+|are\s+)?(?:in|at)|"
    rf"(?P<loc>located\s+(?:at|in))|based\s+(?:in|at|out\s+of))\s+(?P<v>[^,;|.\n!?(]+)"
)
_COMPANY_WORDS = _rx(
    r"\b(?:pvt|ltd|llp|limited|enterprises|traders|industries|agencies|sons|brothers|bros|corporation|company|"
    r"co\.|motors|mills|exports|foods)\b"
)
_ADDRESS_WORDS = frozenset(
    _words(
        "near opp opposite behind beside next to road rd gali lane chowk bus stand station stop metro highway bypass "
        "sector phase block floor building tower nagar colony market bazar bazaar village gaon post tehsil dist "
        "district pin pincode taluka city east west north south main cross ring area industrial estate plot shop no "
        "survey gidc midc"
    )
)


# Cities a lead is often in: a clause that is only a city (`Narmada Agri Exports, Indore, …`) is where the lead is.
CITIES = frozenset(
    _words(
        "mumbai delhi bengaluru bangalore hyderabad ahmedabad chennai kolkata pune surat jaipur lucknow "
        "kanpur nagpur indore thane bhopal visakhapatnam vizag patna vadodara baroda ghaziabad ludhiana agra "
        "nashik faridabad meerut rajkot varanasi srinagar aurangabad dhanbad amritsar allahabad prayagraj "
        "ranchi howrah coimbatore jabalpur gwalior vijayawada jodhpur madurai raipur kota guwahati "
        "chandigarh solapur hubli dharwad bareilly moradabad mysore mysuru gurgaon gurugram aligarh "
        "jalandhar tiruchirappalli trichy bhubaneswar salem warangal thiruvananthapuram trivandrum bhiwandi "
        "saharanpur gorakhpur guntur bikaner amravati noida jamshedpur bhilai cuttack firozabad kochi cochin "
        "ernakulam bhavnagar dehradun durgapur asansol nanded kolhapur ajmer gulbarga kalaburagi jamnagar "
        "ujjain siliguri jhansi ulhasnagar jammu mangalore mangaluru erode belgaum belagavi tirunelveli "
        "jalgaon udaipur davangere kozhikode calicut akola kurnool bokaro bellary ballari patiala bhagalpur "
        "muzaffarpur latur dhule rohtak korba bhilwara brahmapur muzaffarnagar ahmednagar mathura kollam "
        "bilaspur shahjahanpur satara bijapur rampur shimoga junagadh thrissur alwar bardhaman nizamabad "
        "parbhani tumkur hisar panipat darbhanga aizawl dewas ichalkaranji karnal bathinda jalna purnia "
        "satna sonipat durg imphal ratlam hapur anantapur arrah karimnagar etawah ambernath bharatpur "
        "begusarai gandhidham puducherry pondicherry sikar thoothukudi rewa mirzapur raichur ramagundam "
        "haridwar vijayanagaram katihar nagercoil thanjavur bulandshahr sambhal singrauli nadiad "
        "secunderabad naihati yamunanagar bidar pallavaram munger panchkula burhanpur kharagpur dindigul "
        "gandhinagar hospet malda ongole deoghar chapra haldia khandwa nandyal morena amroha bhind "
        "madhyamgram bhiwani berhampore ambala morbi fatehpur raebareli chittoor bhusawal orai bahraich "
        "vellore mehsana raiganj sirsa danapur serampore sultanpur jaunpur panvel shillong tenali khammam "
        "goa panaji margao vapi valsad silvassa daman navsari bharuch ankleshwar hosur sivakasi tiruppur "
        "karur namakkal palakkad kannur kottayam alappuzha manipal udupi hassan mandya chikmagalur bhiwadi "
        "neemrana rewari manesar baddi solan shimla haldwani rudrapur kashipur roorkee katni sasaram deoria "
        "chhindwara itarsi hoshangabad भोपाल इंदौर जयपुर दिल्ली मुंबई पुणे लखनऊ कानपुर पटना रायपुर नागपुर "
        "लुधियाना जोधपुर उदयपुर अजमेर कोटा आगरा मेरठ वाराणसी प्रयागराज गोरखपुर बरेली अलीगढ़ अहमदाबाद सूरत "
        "राजकोट वडोदरा चंडीगढ़ देहरादून रांची"
    )
)
_CITY_PREFIX = frozenset(_words("new navi greater north south east west old"))
RE_CITY_CLAUSE = _rx(r"^(?P<v>[A-Za-z\u0900-\u097f]+(?:\s+[A-Za-z\u0900-\u097f]+)?)(?:\s*\((?:[A-Za-z]{2,3})\))?$")


def _addressy(piece: str) -> bool:
    """A comma-piece that can continue an address: names, numbers, address words; no verbs or command words."""
    p = piece.strip()
    if not p or ":" in p or "@" in p or re.search(r"\d{8,}", re.sub(r"[\s-]", "", p)):
        return False
    if _VERBISH.search(p) or len(p.split()) > 6:
        return False
    for w in re.findall(rf"[\w{_DEV}.]+", p):
        if not (w[:1].isupper() or w[:1].isdigit() or "\u0900" <= w[:1] <= "\u097f" or w.casefold() in _ADDRESS_WORDS):
            return False
    return True


_MAX_PIECES = 8  # an address or a challenge runs over at most this many comma-pieces


def _address_end(text: str, vs: int, limit: int, first_free: bool) -> int:
    """Extend an address over the comma-pieces that still look like an address."""
    pos, end = vs, vs
    first = True
    for _ in range(_MAX_PIECES):
        if pos >= limit:
            break
        m = re.compile(r",").search(text, pos, limit)
        stop = m.start() if m else limit
        piece = text[pos:stop]
        if not ((first and first_free) or _addressy(piece)):
            break
        end = stop
        first = False
        if not m:
            break
        pos = m.end()
    return end


def _address(t: _Text) -> list[_Cand]:
    text, out = t.text, []
    area = _gate(RE_AREA).open(t.low)
    for i, (s, e) in enumerate(t.clauses):
        clause = text[s:e]
        lead = _LEAD_FILL.match(clause)
        cs = s + (lead.end() if lead else 0)
        if RE_ADDRESS_START.match(text[cs:e]):
            end = _address_end(text, cs, _hard_end(text, cs), True)
            c = _cand("address", (cs, end), (cs, end), False, BARE, text)
            if c:
                out.append(c)
        elif i > 0 and area and RE_AREA.search(clause) and not _COMPANY_WORDS.search(clause) and _addressy(clause):
            end = _address_end(text, s, _hard_end(text, s), True)
            c = _cand("address", (s, end), (s, end), False, BARE, text)
            if c:
                out.append(c)
    for s, e in t.clauses:
        city = RE_CITY_CLAUSE.match(text[s:e])
        name = city.group("v").casefold().split() if city else []
        place = text[s:e].split()
        if (
            not name
            and 2 <= len(place) <= 4
            and place[-1].casefold() in CITIES
            and not _COMPANY_WORDS.search(text[s:e])
            and all(w[:1].isupper() or w.casefold() in _ADDRESS_WORDS for w in place)
            and _addressy(text[s:e])
        ):
            name = [place[-1].casefold()]  # `Focal Point Ludhiana`: a place in a known city
        if name and (" ".join(name) in CITIES or (len(name) == 2 and name[0] in _CITY_PREFIX and name[1] in CITIES)):
            c = _cand("address", (s, e), (s, e), False, LEAD, text)
            if c:
                out.append(c)
    for m in _finditer(t, RE_LOCATED):
        v = m.group("v")
        if _addressy(v):
            end = _address_end(text, m.start("v"), _hard_end(text, m.start("v")), True)
            rank = (
                SURE if (m.group("is") or m.group("loc")) else LEAD
            )  # `their office is in X`, not `visited office in X`
            c = _cand("address", (m.start(), end), (m.start("v"), end), False, rank, text)
            if c:
                out.append(c)
    return out


# labels --------------------------------------------------------------------------------------------------------


@dataclass
class _Label:
    field: str
    start: int
    vstart: int
    word: str
    sign: bool  # an explicit `:`/`-`/`=` after the label
    word_sep: bool  # `is`/`hai` after the label
    at_clause_start: bool


def _looks_like_address(text: str) -> bool:
    piece = re.split(r"[,;/|\n]", text, maxsplit=1)[0]
    words = piece.casefold().split()
    return bool(words) and (
        RE_AREA.search(piece) is not None
        or RE_ADDRESS_START.match(piece) is not None
        or any(w in CITIES for w in words)
        or any(w in _HINDI_ADDRESS for w in words)
    )


_HINDI_ADDRESS = frozenset(_words("रोड मार्ग नगर कॉलोनी बाजार बाज़ार चौक गली सेक्टर प्लॉट"))


def _labels(text: str) -> list[_Label]:
    out: list[_Label] = []
    if not _gate(RE_LABEL).open(folded(text)):
        return out
    for m in RE_LABEL.finditer(text):
        word = re.sub(r"\s+", " ", m.group("label").casefold())
        field = _LABEL_OF.get(word)
        if field is None:
            continue
        sep = m.group("sep")
        sign = bool(_SIGN.search(sep))
        word_sep = bool(sep.strip()) and not sign
        at_start = m.group("pre") is not None
        if word in _SIGN_ONLY and not sign:
            if not _looks_like_address(text[m.end() : m.end() + 60]):
                continue  # `pata nahi`, `पता है`; but `पता सूरत रिंग रोड` is an address
        elif word in WEAK_LABELS and not (sign or (word_sep and at_start)):
            continue
        out.append(_Label(field, m.start("label"), m.end(), word, sign, word_sep, at_start))
    return out


_ASKING = _rx(
    r"(?:^|\s)(?:share|send|bhejo|bhej|batao|bata|need|needs|want|wants|chahiye|pucho|puchho|ask|asked|check|confirm|"
    r"find|pata\s+karo|kya|what|which|भेजो|बताओ|चाहिए|पूछो)(?![\w\u0900-\u097f])"
)


def _label_value(text: str, lab: _Label, limit: int) -> tuple[int, int] | None:
    """The value of a label that no shaped candidate explains, ending at `limit` at the latest."""
    vs = lab.vstart
    before = re.split(r"[,;:\n|.!?]", text[: lab.start])[-1]
    if _ASKING.search(before):
        return None  # `pls share current system details`, `address bhejo`: a request, not a value
    end = min(limit, _hard_end(text, vs))
    if lab.field in ("turnover", "team_size", "current_system", "industry"):
        end = _comma_end(text, vs, end)
        if lab.field in ("turnover", "team_size") and not lab.sign:
            return None  # `turnover bhi accha hai`: without an amount only an explicit `Turnover: …` is a value
    elif lab.field == "address":
        end = _address_end(text, vs, end, True)
    elif lab.field == "challenges":
        end = _continue(text, vs, end) if lab.sign else _comma_end(text, vs, end)
    value = text[vs:end].strip()
    if not value or _REQUEST.search(value):
        return None
    if not lab.sign and _BAD_START.match(value):
        return None
    if not lab.at_clause_start and not lab.sign and len(value.split()) > 6:
        return None
    return vs, end


def _continue(text: str, vs: int, limit: int) -> int:
    """A labelled challenge runs over commas until a piece that reads as a command (`Priya ko de do`)."""
    pos, end = vs, vs
    for _ in range(_MAX_PIECES):
        if pos >= limit:
            break
        m = re.compile(r",").search(text, pos, limit)
        stop = m.start() if m else limit
        piece = text[pos:stop]
        if end > vs and (_COMMANDISH.search(piece) or ":" in piece):
            break
        end = stop
        if not m:
            break
        pos = m.end()
    return end


# -- assembly ---------------------------------------------------------------------------------------------------

_LEAD_CONTEXT = _rx(
    r"(?:new\s+lead|naya\s+lead|nayi\s+lead|naye\s+lead|nai\s+lead|new\s+enquiry|details?|डिटेल्स?|update\s+for|"
    r"ka\s+update|profile|नई\s+लीड|नया\s+लीड|नयी\s+लीड|ek\s+lead|lead\s+mila|lead\s+aaya|lead\s+aayi)"
)


def _pick(cands: list[_Cand]) -> list[_Cand]:
    """Non-overlapping candidates, the surer and longer first; of two readings of an address, the longer."""
    longest: list[_Cand] = []
    for c in sorted(cands, key=lambda c: (-c.labelled, -(c.end - c.start), -c.rank, c.start)):
        if c.field != "address" or not any(c.overlaps(k) and k.field == "address" for k in longest):
            longest.append(c)  # `Shop 4, Zaveri Bazaar, Mumbai` holds the city `Mumbai`: one address
    kept: list[_Cand] = []
    for c in sorted(longest, key=lambda c: (-c.rank, -c.labelled, -(c.end - c.start), c.start)):
        if not any(c.overlaps(k) for k in kept):
            kept.append(c)
    return sorted(kept, key=lambda c: c.start)


def _assemble(text: str, closed: list[_Cand], labels: list[_Label]) -> list[_Cand]:
    closed = _pick([replace(c) for c in closed])
    out: list[_Cand] = []
    for i, lab in enumerate(labels):
        label_span = (lab.start, lab.vstart)
        inside = [c for c in closed if c.start < label_span[1] and label_span[0] < c.end]
        if inside:
            for c in inside:
                if c.field == lab.field:
                    c.labelled = True
                    c.start = min(c.start, lab.start)
            continue
        gap_ok = [
            c
            for c in closed
            if c.field == lab.field != "address"
            and c.start >= lab.vstart
            and not text[lab.vstart : c.start].strip(" *_~:-")
        ]
        if gap_ok:
            gap_ok[0].labelled = True
            gap_ok[0].start = lab.start
            continue
        limit = len(text)
        for other in labels[i + 1 :]:
            if other.start >= lab.vstart:
                limit = min(limit, other.start)
                break
        for c in closed:
            if c.start >= lab.vstart and c.field != lab.field:
                limit = min(limit, c.start)
                break
        span = _label_value(text, lab, limit)
        if span is None:
            continue
        value = _cand(lab.field, (lab.start, span[1]), span, True, SURE, text)
        if value is None:
            continue
        # what this value swallows of its own field was only another reading of the same words
        closed = [k for k in closed if not (k.field == lab.field and value.overlaps(k))]
        out.append(value)
    return _pick(out + closed)


def _candidates(text: str) -> tuple[list[_Cand], list[_Label]]:
    t = _Text(text)
    cands = _turnover(t) + _team(t) + _system(t) + _challenges(t) + _industry(t) + _address(t)
    return cands, _labels(text)


# Fillers after a detail that belong to its phrase (`tally use karte hain`, `40 log hai`): masked with it.
_MASK_TAIL = _rx(r"(?:\s+(?:hain|hai|he|h|hn|है|हैं|sab\s*kuch|sab|सब\s*कुछ|सब|already|ji|जी)(?![\w\u0900-\u097f]))*")


def detail_spans(text: str) -> list[DetailSpan]:
    """Every qualification detail the text gives, labelled or not, in text order (first one per field)."""
    return list(_detail_spans(text))


@lru_cache(maxsize=8)  # one message is read several times within one parse (intent, fields, further commands)
def _detail_spans(text: str) -> tuple[DetailSpan, ...]:
    return tuple(_find_detail_spans(text))


def _find_detail_spans(text: str) -> list[DetailSpan]:
    """Every qualification detail the text gives, labelled or not, in text order (first one per field)."""
    if not text or not text.strip():
        return []
    cands, labels = _candidates(text)
    sure = _assemble(text, [c for c in cands if c.rank == SURE], labels)
    if sure and _DEAL_OUTCOME.search(text) and all(c.field == "challenges" for c in sure):
        return []  # `lost - main issue is price`: the reason a deal ended, not the lead's challenge
    rich = bool(sure)
    lead = rich or bool(_LEAD_CONTEXT.search(text))
    allowed = [c for c in cands if c.rank == SURE or (c.rank == LEAD and lead) or (c.rank == BARE and rich)]
    chosen = _assemble(text, allowed, labels)
    seen: set[str] = set()
    spans: list[DetailSpan] = []
    for c in chosen:
        if c.field in seen:
            continue
        seen.add(c.field)
        tail = _MASK_TAIL.match(text, c.end)
        end = tail.end() if tail else c.end
        spans.append(DetailSpan(c.field, text[c.vstart : c.vend], c.start, end, c.labelled))
    return spans


def find_details(text: str) -> tuple[dict[str, str], int]:
    """The details a message gives, and where the first of them starts (-1 when none)."""
    spans = detail_spans(text)
    return {s.field: s.value for s in spans}, (spans[0].start if spans else -1)
