"""Qualification details written as `label: value` pairs (address, turnover, current system, challenges…)."""

from __future__ import annotations

import re

from crm_core.parsing.extract import strip_edges

DETAIL_LABELS: dict[str, tuple[str, ...]] = {
    "address": ("address", "adress", "addres", "addr", "office address", "location", "पता", "एड्रेस", "pata"),
    "turnover": (
        "turnover", "turn over", "turn-over", "turnovr", "annual turnover", "revenue", "t/o", "टर्नओवर",
        "सालाना टर्नओवर", "कारोबार",
    ),
    "current_system": (
        "current system", "current software", "existing system", "existing software", "current erp",
        "present system", "currently using", "current tool", "using", "system", "software", "erp",
        "मौजूदा सिस्टम", "करंट सिस्टम", "सिस्टम", "सॉफ्टवेयर", "abhi ka system",
    ),
    "challenges": (
        "challenges", "challenge", "challanges", "challange", "chalenges", "pain points", "pain point",
        "problems", "problem", "issues", "issue", "dikkat", "dikkatein", "samasya", "समस्या", "समस्याएं",
        "समस्याएँ", "चुनौती", "चुनौतियां", "चुनौतियाँ", "दिक्कत",
    ),
    "industry": ("industry", "industy", "sector", "business type", "vertical", "इंडस्ट्री", "उद्योग", "क्षेत्र"),
    "team_size": (
        "team size", "team strength", "team", "employees", "employee count", "no of employees",
        "no. of employees", "number of employees", "staff", "headcount", "टीम साइज", "टीम साइज़", "कर्मचारी",
    ),
}  # fmt: skip

# Words that are labels only with an explicit separator (`Sector: IT`, not `Sector 18, Noida`).
WEAK_LABELS = frozenset(
    {
        "sector",
        "team",
        "location",
        "system",
        "software",
        "issue",
        "issues",
        "problem",
        "problems",
        "staff",
        "vertical",
        "erp",
        "revenue",
        "क्षेत्र",
        "सिस्टम",
        "pata",
        "addr",
    }
)
_LABEL_OF = {label: field for field, labels in DETAIL_LABELS.items() for label in labels}
_ALT = "|".join(re.escape(x) for x in sorted(_LABEL_OF, key=len, reverse=True))
RE_LABEL = re.compile(
    r"(?:^|[,;:\n|]|\.\s|\s[-–—]\s)\s*(" + _ALT + r")(?![\w\u0900-\u097F])"
    r"(\s*(?:[:=\-–]|\bis\b|\bare\b|\bhai\b|\bhain\b|है)\s*|\s+)",
    re.I,
)


_RE_TRAILING_FILLER = re.compile(r"\s+(?:hai|hain|he|है|हैं)$", re.I)


def find_details(text: str) -> tuple[dict[str, str], int]:
    """The details a message gives, and where the first label starts (-1 when none)."""
    matches = [m for m in RE_LABEL.finditer(text) if m.group(2).strip() or m.group(1).casefold() not in WEAK_LABELS]
    out: dict[str, str] = {}
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        value = strip_edges(_RE_TRAILING_FILLER.sub("", strip_edges(text[m.end() : end])))
        field = _LABEL_OF[m.group(1).casefold()]
        if value and field not in out:
            out[field] = value
    first = matches[0].start(1) if matches else -1
    return out, first
