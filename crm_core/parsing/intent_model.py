"""A second opinion on the intent: a small naive Bayes over words and word pairs, trained on our own corpus.

It never decides anything. The confidence model reads whether it agrees with the rules' intent (and by how
much it prefers another): when two readers that work differently disagree, the reading is likely wrong.
The counts ship in intent_model.json (written by tools/train_confidence.py, a few hundred kilobytes at most);
they load once, on first use, with no dependency beyond the standard library.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from functools import lru_cache
from importlib import resources
from typing import Any

MODEL_FILE = "intent_model.json"
_WORD = re.compile(r"[\w\u0900-\u097F]+")
_DIGIT = re.compile(r"\d")


def words(text: str) -> list[str]:
    """The model's features: casefolded words (digits folded to 0) and adjacent word pairs."""
    # Digits are word characters, so folding them before splitting gives the same words as folding each word.
    ws = _WORD.findall(_DIGIT.sub("0", text.casefold()))
    return ws + [f"{a}_{b}" for a, b in itertools.pairwise(ws)]


def train(examples: list[tuple[str, str]], min_count: int = 1) -> dict[str, Any]:
    """Counts per intent for (text, intent) examples: the whole model, as JSON-ready data."""
    counts: dict[str, dict[str, int]] = {}
    prior: dict[str, int] = {}
    for text, intent in examples:
        prior[intent] = prior.get(intent, 0) + 1
        bucket = counts.setdefault(intent, {})
        for w in words(text):
            bucket[w] = bucket.get(w, 0) + 1
    seen: dict[str, int] = {}
    for bucket in counts.values():
        for w, n in bucket.items():
            seen[w] = seen.get(w, 0) + n
    keep = {w for w, n in seen.items() if n >= min_count}
    return {
        "prior": prior,
        "counts": {y: {w: n for w, n in b.items() if w in keep} for y, b in counts.items()},
        "vocab": len(keep),
    }


@lru_cache(maxsize=1)
def _model() -> dict[str, Any]:
    try:
        raw = resources.files("crm_core.parsing").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return {}
    return _prepared(json.loads(raw))


def _prepared(data: dict[str, Any]) -> dict[str, Any]:
    """Log-probabilities laid out for scoring: per word, one value per intent (Laplace-smoothed)."""
    intents = sorted(data["prior"])
    counts: dict[str, dict[str, int]] = data["counts"]
    vocab = max(1, int(data["vocab"]))
    totals = {y: sum(counts.get(y, {}).values()) for y in intents}
    unseen = [math.log(0.5 / (totals[y] + 0.5 * vocab)) for y in intents]
    table: dict[str, list[float]] = {}
    for i, y in enumerate(intents):
        for w, n in counts.get(y, {}).items():
            row = table.setdefault(w, list(unseen))
            row[i] = math.log((n + 0.5) / (totals[y] + 0.5 * vocab))
    n = sum(data["prior"].values())
    return {"intents": intents, "table": table, "base": [math.log(data["prior"][y] / n) for y in intents]}


def scores(text: str, model: dict[str, Any] | None = None) -> dict[str, float]:
    """Log-probability of each intent (empty when no model is shipped)."""
    model = _model() if model is None else model
    if not model:
        return {}
    if "table" not in model:
        model = _prepared(model)
    table: dict[str, list[float]] = model["table"]
    total = list(model["base"])
    for w in words(text):
        row = table.get(w)
        if row is not None:
            total = [a + b for a, b in zip(total, row, strict=True)]
    return dict(zip(model["intents"], total, strict=True))


def opinion(text: str, intent: str, model: dict[str, Any] | None = None) -> tuple[bool, float]:
    """Whether the model's best intent is `intent`, and how many nats it prefers its best over `intent`."""
    sc = scores(text, model)
    if not sc:
        return True, 0.0
    best = max(sc, key=lambda k: sc[k])
    margin = sc[best] - sc.get(intent, min(sc.values()) - 10.0)
    return best == intent, min(20.0, margin)
