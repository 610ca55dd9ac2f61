"""Write tests/parsing/corpus/tidy.jsonl: the tidy messages of the parser's unit tests, as corpus lines.

The unit tests (tests/parsing/test_rules.py) check the fields each case names. A case's line here carries the
rules' full reading, which those tests have verified field by field; the confidence model fits on them so that a
clean, labelled command is not asked about (tools/train_confidence.py --tidy). They never choose the cut-off.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    from crm_core.parsing.rules import RuleParser
    from crm_core.ports import ParseContext
    from tests.parsing import test_rules as cases

    ctx = ParseContext(now=datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Kolkata")), tz=ZoneInfo("Asia/Kolkata"))
    texts: list[str] = []
    for name in ("NEW_LEAD", "QUALIFY", "DETAILS", "SCHEDULE", "RESCHEDULE", "DONE", "ACTIVITY", "REASSIGN",
                 "WON_LOST", "LISTS", "MORE", "HINGLISH"):  # fmt: skip
        texts += [case[0] for case in getattr(cases, name)]
    parser = RuleParser()
    out = ROOT / "tests" / "parsing" / "corpus" / "tidy.jsonl"
    with out.open("w", encoding="utf-8") as f:
        for text in dict.fromkeys(texts):
            reading = parser.parse(text, ctx).command.to_contract()
            f.write(json.dumps({"text": text, "expect": reading, "writer": "unit-tests"}, ensure_ascii=False) + "\n")
    print(f"{len(dict.fromkeys(texts))} tidy messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
