"""An answer to "please send the address, turnover, current system, challenges" that has no labels.

While the bot waits for a lead's qualification details (Awaiting.DETAILS), a reply the parser could not place —
"Pune, 5 crore, Tally, manual billing", "पुणे, 5 करोड़, टैली, हिसाब में देरी", "Busy software" — is read here
rather than thrown away: details the parser's detail finder recognises (crm_core.parsing.details), then each
comma-separated part by its look (an amount is the turnover, a known accounting product the current system), and
what is left by the order the bot asked in. When exactly one detail is still missing the whole reply is that
detail. When nothing can be placed the wait is kept and the sender is asked to label it.
"""

from __future__ import annotations

import re

from crm_core.commands import Details
from crm_core.db.models import ConversationState, Lead
from crm_core.handlers.yesno import is_no, is_yes
from crm_core.parsing.details import detail_spans

_PARTS = re.compile(r"\s*(?:[,;\n|।]|\.\s+)\s*")
_AMOUNT = re.compile(
    r"(?:₹|rs\.?|inr)?\s*\d[\d,.]*\s*(?:cr|crore|crores|cror|lakh|lakhs|lac|lacs|l|k|mn|million|करोड़|करोड|लाख)\b"
    r"|\d[\d,.]*\s*(?:करोड़|करोड|लाख)",
    re.IGNORECASE,
)
_SYSTEMS = re.compile(
    r"(?<![\w\u0900-\u097F])(?:tally|tally\s*prime|excel|busy|sap|zoho|marg|quickbooks|odoo|oracle|erp|crm|"
    r"google\s+sheets|sheets|software|register|pen\s+(?:and\s+)?paper|notebook|diary|टैली|एक्सेल|रजिस्टर|सॉफ्टवेयर)"
    r"(?![\w\u0900-\u097F])",
    re.IGNORECASE,
)
_CHAT = frozenset(
    {"ok", "okay", "hmm", "hm", "wait", "later", "baad", "thanks", "thank", "thx", "hi", "hello", "sure", "acha",
     "accha", "achha", "ruko", "minute", "min", "check", "batata", "bataunga", "bataungi", "sending", "bhejta",
     "bhejti", "bhejunga", "रुको", "बाद", "धन्यवाद", "बताता", "बताऊँगा", "भेजता"}
)  # fmt: skip
_WORD = re.compile(r"[\w\u0900-\u097F]+")


def read(state: ConversationState, lead: Lead | None, text: str, missing: list[str]) -> Details | None:
    """The details an unlabelled reply gives for the awaited lead, or None when it is no such reply."""
    words = [w.casefold() for w in _WORD.findall(text)]
    if lead is None or state.lead_id != lead.id or not words or "?" in text:
        return None
    if is_yes(text) or is_no(text) or any(w in _CHAT for w in words):
        return None
    found = {s.field: s.value for s in detail_spans(text)}
    rest = [p.strip(" .") for p in _PARTS.split(text) if p.strip(" .")]
    if found:
        rest = [p for p in rest if not any(v in p or p in v for v in found.values())]
    todo = [name for name in missing if name not in found]
    for part in list(rest):
        if "turnover" in todo and _AMOUNT.fullmatch(part.strip()):
            found["turnover"], rest = part, [p for p in rest if p != part]
            todo.remove("turnover")
        elif "current_system" in todo and _SYSTEMS.search(part) and len(part.split()) <= 4:
            found["current_system"], rest = part, [p for p in rest if p != part]
            todo.remove("current_system")
    if rest and len(todo) == 1:
        found[todo[0]] = ", ".join(rest)
    elif rest and len(rest) == len(todo):
        found.update(zip(todo, rest, strict=True))
    details = Details.model_validate({k: v[:500] for k, v in found.items()})
    return details if details.given() else None
