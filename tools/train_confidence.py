"""Train the built-in parser's confidence model (crm_core/parsing/confidence_model.json).

usage: python tools/train_confidence.py --calibrate CAL.jsonl [CAL2.jsonl …] [--also TUNE.jsonl …]
                                        [--precision 0.985] [--scorer ../shared/tools/score_parse.py]

Every message is parsed by the rules (offline, now = Tue 24 Nov 2026 10:00 IST, the corpus team) and labelled
exactly right or not with the scorer's strict check. A logistic regression (L2, numpy, development only) learns
P(right | features). The cut-off is chosen on out-of-fold probabilities of the *calibration* messages — messages the
rules were never tuned on — as the lowest probability at which the precision of everything at or above it reaches
--precision. The run-time side (crm_core/parsing/confidence.py) maps that cut-off onto the 0.75 threshold.
The held-back corpus is never read here.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TEAM = ("Priya", "Amit", "Neha", "Vikram", "Rahul", "Sneha", "Sunita", "Karan", "Pooja", "Arjun")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Kolkata"))
OUT = ROOT / "crm_core" / "parsing" / "confidence_model.json"
NB_OUT = ROOT / "crm_core" / "parsing" / "intent_model.json"


def _scorer(path: str):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("score_parse", path)
    if spec is None or spec.loader is None:
        sys.exit(f"cannot load the scorer at {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rows(paths: list[str]) -> list[dict]:
    rows = []
    for name in paths:
        rows += [json.loads(line) for line in Path(name).read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows


def _examples(rows: list[dict], check) -> tuple[list[dict[str, float]], list[int]]:  # type: ignore[no-untyped-def]
    from crm_core.parsing.rules import RuleParser
    from crm_core.ports import ParseContext

    parser = RuleParser()
    ctx = ParseContext(now=NOW, tz=ZoneInfo("Asia/Kolkata"), team_names=TEAM)
    feats, labels = [], []
    for row in rows:
        result = parser.parse(row["text"], ctx)
        _, misses = check(row["expect"], result.command.to_contract(), True)
        feats.append(result.features or {"bias": 1.0})
        labels.append(0 if misses else 1)
    return feats, labels


def _fit(x, y, l2: float = 1.0, steps: int = 4000, lr: float = 0.5):  # type: ignore[no-untyped-def]
    import numpy as np

    w = np.zeros(x.shape[1])
    n = len(y)
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -40, 40)))
        grad = x.T @ (p - y) / n + l2 * w / n
        grad[0] -= l2 * w[0] / n  # no penalty on the bias
        w -= lr * grad
    return w


def main() -> int:
    import numpy as np

    ap = argparse.ArgumentParser()
    ap.add_argument("--calibrate", nargs="+", required=True, help="messages the rules were not tuned on")
    ap.add_argument("--also", nargs="*", default=[], help="the tuning messages: the intent model learns from them")
    ap.add_argument("--precision", type=float, default=0.98, help="least precision at and above the cut-off")
    ap.add_argument("--max-wrong", type=float, default=0.015, help="most confidently-wrong share of all messages")
    ap.add_argument("--tidy", nargs="*", default=[], help="tidy messages fitted on too (not used for the cut-off)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--scorer", default=str(ROOT.parent / "shared" / "tools" / "score_parse.py"))
    a = ap.parse_args()
    check = _scorer(a.scorer).check
    cal_rows, extra_rows = _rows(a.calibrate), _rows(a.also)
    # The second opinion on the intent learns from the tuning messages only, never from the calibration ones.
    from crm_core.parsing import intent_model

    def first(intent: str | list[str]) -> str:
        return intent if isinstance(intent, str) else intent[0]

    nb = intent_model.train([(r["text"], first(r["expect"]["intent"])) for r in extra_rows])
    NB_OUT.write_text(json.dumps(nb, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    intent_model._model.cache_clear()
    cal_f, cal_y = _examples(cal_rows, check)
    # Tidy messages (the shared corpus) teach the model that clean, labelled commands are safe to act on; they
    # are fitted on but never used to choose the cut-off.
    ext_f, ext_y = _examples(_rows(a.tidy), check)
    names = sorted({k for f in cal_f + ext_f for k in f} - {"bias"})
    names = ["bias", *names]

    def matrix(fs: list[dict[str, float]]):  # type: ignore[no-untyped-def]
        return np.array([[f.get(k, 0.0) for k in names] for f in fs], dtype=float)

    xc, yc = matrix(cal_f), np.array(cal_y, dtype=float)
    xe = matrix(ext_f) if ext_f else np.zeros((0, len(names)))
    ye = np.array(ext_y, dtype=float)
    # Out-of-fold probabilities for the calibration messages (averaged over three shuffles, for a steadier curve).
    oof = np.zeros(len(yc))
    repeats = 3
    for seed in range(repeats):
        order = np.random.default_rng(seed).permutation(len(yc))
        for k in range(a.folds):
            test = order[k :: a.folds]
            train = np.setdiff1d(order, test)
            w = _fit(np.vstack([xc[train], xe]), np.concatenate([yc[train], ye]))
            oof[test] += 1.0 / (1.0 + np.exp(-np.clip(xc[test] @ w, -40, 40))) / repeats
    cutoff = 1.0
    for cand in sorted(set(np.round(oof, 4))):
        above = oof >= cand
        wrong = float(((1 - yc) * above).mean())
        if above.sum() >= 10 and yc[above].mean() >= a.precision and wrong <= a.max_wrong:
            cutoff = float(cand)
            break
    w = _fit(np.vstack([xc, xe]), np.concatenate([yc, ye]))
    above = oof >= cutoff
    report = {
        "calibration_messages": len(yc),
        "calibration_exact": round(float(yc.mean()), 4),
        "intent_model_messages": len(extra_rows),
        "cutoff_out_of_fold_precision": round(float(yc[above].mean()) if above.any() else 0.0, 4),
        "cutoff_out_of_fold_coverage": round(float(above.mean()), 4),
        "cutoff_out_of_fold_confidently_wrong": round(float(((1 - yc) * above).mean()), 4),
        "tidy_messages": len(ye),
    }
    model = {
        "about": "P(reading exactly right) over the built-in parser's features; see tools/train_confidence.py",
        "cutoff": round(cutoff, 4),
        "weights": {k: round(float(v), 5) for k, v in zip(names, w, strict=True)},
        "trained": report,
    }
    OUT.write_text(json.dumps(model, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
