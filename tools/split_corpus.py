"""Merge the writers' corpus files, validate each expectation against the Command model, split tune / held-back.

usage: python tools/split_corpus.py WRITER.jsonl ... [--held-back 0.4] [--seed 12]

Writes tests/parsing/corpus/tune.jsonl and tests/parsing/corpus/heldout.jsonl. The split is per writer (each
writer's messages are shuffled with a fixed seed and the last share held back), so both parts have every style.
The held-back part is scored only at the end of a round of parser work (docs/parser.md).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = Path(__file__).resolve().parent.parent / "tests" / "parsing" / "corpus"


def _valid(expect: dict) -> str | None:
    from crm_core.commands import Command

    def first(v: object) -> object:
        return v[0] if isinstance(v, list) else v

    data = {k: first(v) for k, v in expect.items() if k not in ("also", "details")}
    if "details" in expect:
        data["details"] = {k: first(v) for k, v in expect["details"].items()}
    if "also" in expect:
        data["also"] = [{k: first(v) for k, v in sub.items()} for sub in expect["also"]]
    try:
        Command.model_validate(data)
    except ValueError as exc:
        return str(exc).splitlines()[0]
    return None


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+")
    ap.add_argument("--held-back", type=float, default=0.4)
    ap.add_argument("--seed", type=int, default=12)
    a = ap.parse_args()
    tune, held, seen = [], [], set()
    for name in a.files:
        lines = Path(name).read_text(encoding="utf-8").splitlines()
        rows = [json.loads(line) for line in lines if line.strip()]
        good = []
        for row in rows:
            problem = _valid(row["expect"])
            if problem or row["text"] in seen:
                print(f"skipped {row['text'][:60]!r}: {problem or 'duplicate'}", file=sys.stderr)
                continue
            seen.add(row["text"])
            good.append(row)
        random.Random(f"{a.seed}:{Path(name).stem}").shuffle(good)  # noqa: S311 - a reproducible split
        cut = round(len(good) * (1 - a.held_back))
        tune += good[:cut]
        held += good[cut:]
    OUT.mkdir(parents=True, exist_ok=True)
    for part, rows in (("tune", tune), ("heldout", held)):
        with open(OUT / f"{part}.jsonl", "w", encoding="utf-8") as f:
            f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    print(f"tune {len(tune)}, held back {len(held)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
