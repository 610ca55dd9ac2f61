"""How sure the built-in parser may be: a small logistic model over what a reading shows, trained on our own corpus.

The model (weights in confidence_model.json, written by tools/train_confidence.py) turns a reading's features into
the probability that the reading is exactly right. That probability is then mapped so that the configured
threshold (0.75 by default) sits where the measured precision on messages the rules were not tuned on reaches the
contract's promise (98 %): at or above 0.75 the bot acts, below it GPT-4o or the sender is asked. Pure Python: no
numpy at run time, and the weights load once, on first use.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from importlib import resources
from typing import Any

from crm_core.commands import Command, Intent

MODEL_FILE = "confidence_model.json"
THRESHOLD = 0.75  # where the model's cut-off is mapped to (the default PARSER_CONFIDENCE_THRESHOLD)

_GROUPS = {
    Intent.NEW_LEAD: "lead",
    Intent.QUALIFY_LEAD: "qualify",
    Intent.LEAD_DETAILS: "details",
    Intent.SCHEDULE_MEETING: "schedule",
    Intent.SCHEDULE_DEMO: "schedule",
    Intent.RESCHEDULE_MEETING: "reschedule",
    Intent.RESCHEDULE_DEMO: "reschedule",
    Intent.MEETING_DONE: "done",
    Intent.DEMO_DONE: "done",
    Intent.ADD_ACTIVITY: "activity",
    Intent.REASSIGN_LEAD: "reassign",
    Intent.MARK_WON: "won",
    Intent.MARK_LOST: "lost",
    Intent.LIST_TASKS: "list",
    Intent.LIST_LEADS: "list",
    Intent.LEAD_INFO: "info",
    Intent.CANCEL_MEETING: "reschedule",
    Intent.CANCEL_DEMO: "reschedule",
    Intent.SET_REMINDER: "schedule",
    Intent.TEAM_LEADS: "list",
    Intent.TEAM_TASKS: "list",
    Intent.PIPELINE_SUMMARY: "list",
    Intent.HELP: "chat",
    Intent.UNKNOWN: "chat",
}
# Intents the model was not trained on (#13): their reading keeps the confidence its rules gave it.
UNTRAINED = frozenset(
    {
        Intent.CANCEL_MEETING,
        Intent.CANCEL_DEMO,
        Intent.SET_REMINDER,
        Intent.TEAM_LEADS,
        Intent.TEAM_TASKS,
        Intent.PIPELINE_SUMMARY,
    }
)
_WORD = re.compile(r"[\w\u0900-\u097F]+")


def features(
    text: str,
    command: Command,
    *,
    base: float,
    how: str | None,
    cue_groups: int,
    uncovered: int,
    content: int,
    positional: bool,
    typos: int,
    explicit: bool = False,
    second_opinion: tuple[bool, float] = (True, 0.0),
) -> dict[str, float]:
    """What a reading shows about its own reliability (names match the model file's weights)."""
    group = _GROUPS[command.intent]
    words = _WORD.findall(text)
    f: dict[str, float] = {
        "bias": 1.0,
        "base": base,
        f"intent:{group}": 1.0,
        # A company found among the sender's own recent leads is at least as sure as one with a business word
        # (the corpus has no recent leads, so the model learns "business" and "known" reads the same weight).
        f"how:{'business' if how == 'known' else how or 'none'}": 1.0,
        "known": 1.0 if how == "known" else 0.0,
        "cue_groups": float(min(cue_groups, 5)),
        "uncovered": float(min(uncovered, 10)),
        "uncovered_share": uncovered / max(1, content),
        "positional": 1.0 if positional else 0.0,
        "typos": float(min(typos, 3)),
        "log_words": math.log1p(len(words)),
        "devanagari": 1.0 if any("\u0900" <= ch <= "\u097f" for ch in text) else 0.0,
        "also": float(len(command.also)),
        "question": 1.0 if "?" in text else 0.0,
        "explicit": 1.0 if explicit else 0.0,
        "nb_agree": 1.0 if second_opinion[0] else 0.0,
        "nb_margin": second_opinion[1] / 10.0,
        "has_note": 1.0 if command.note else 0.0,
        "has_when": 1.0 if command.when else 0.0,
        "details": float(len(command.details.given())) if command.details else 0.0,
    }
    if command.company:
        company = command.company
        f["company_words"] = float(min(len(company.split()), 6))
        f["company_lower"] = 1.0 if company == company.lower() and company.isascii() else 0.0
        f["company_digit"] = 1.0 if any(ch.isdigit() for ch in company) else 0.0
    if command.note:
        f["note_words"] = math.log1p(len(command.note.split()))
    if command.intent in UNTRAINED:
        f["untrained"] = 1.0
    if command.intent is Intent.NEW_LEAD:
        f["lead_fields"] = float(
            sum(1 for v in (command.contact_name, command.phone, command.email, command.source, command.assignee) if v)
        )
    return f


@lru_cache(maxsize=1)
def _model() -> dict[str, Any]:
    """The trained weights and the cut-off; an empty model (every reading at its base) when none is shipped."""
    try:
        raw = resources.files("crm_core.parsing").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return {}
    data: dict[str, Any] = json.loads(raw)
    return data


def probability(feats: dict[str, float], model: dict[str, Any] | None = None) -> float | None:
    """The model's probability that the reading is exactly right (None when no model is shipped)."""
    model = _model() if model is None else model
    weights: dict[str, float] = model.get("weights") or {}
    if not weights:
        return None
    z = sum(weights.get(name, 0.0) * value for name, value in feats.items())
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))


# A reading whose every content word is accounted for, by an explicit command that the second opinion agrees
# with, is as reliable as the model's cut-off (measured: ~98.8 % exact on messages the rules were not tuned on).
CLEAN_FLOOR = 0.8


def clean(feats: dict[str, float]) -> bool:
    """An explicit command, every content word placed in a field, both intent readers agreeing, no penalty."""
    return (
        feats.get("explicit", 0.0) == 1.0
        and feats.get("uncovered", 1.0) == 0.0
        and feats.get("nb_agree", 0.0) == 1.0
        and feats.get("base", 0.0) >= 0.75
    )


def calibrated(feats: dict[str, float], fallback: float, model: dict[str, Any] | None = None) -> float:
    """The confidence to report: the probability mapped so that the model's cut-off lands on THRESHOLD."""
    model = _model() if model is None else model
    p = probability(feats, model)
    if p is None or feats.get("untrained"):
        return fallback
    if clean(feats):
        return max(CLEAN_FLOOR, _mapped(p, model))
    return _mapped(p, model)


def _mapped(p: float, model: dict[str, Any]) -> float:
    """The probability mapped so that the model's cut-off lands on THRESHOLD."""
    cut = float(model.get("cutoff", THRESHOLD))
    if p >= cut:
        return THRESHOLD + (1.0 - THRESHOLD) * (p - cut) / max(1e-9, 1.0 - cut)
    return THRESHOLD * p / max(1e-9, cut)
