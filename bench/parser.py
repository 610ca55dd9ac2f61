"""Parser: built-in (rules) messages/s after start-up, and the share of the corpus answered without GPT."""

from __future__ import annotations

import json
import time
from typing import Any

from bench.common import IST, NOW, REPO, Run, Target, bench_settings, figure

SECTION = "parser"
SPEED = Target(">=", 5000, "≥ 5,000 msg/s")
CORPUS = REPO.parent / "shared" / "corpus" / "commands.jsonl"
# The development corpus's held-back part: scored only at the end of a round of parser work (docs/parser.md).
HELDOUT = REPO / "tests" / "parsing" / "corpus" / "heldout.jsonl"
# The team the corpus writers had in mind (every assignee they wrote), as the app would know it from its users.
CORPUS_TEAM = ("Priya", "Amit", "Neha", "Vikram", "Sunita", "Rahul", "Karan", "Pooja", "Arjun", "Sneha")
# Used only when the shared corpus is absent (a fresh clone): a few messages of each kind.
SAMPLE = (
    "New lead: Acme Pvt Ltd, Rohit Mehra, 9876501234, IndiaMART, Priya",
    "naya lead: Desai Pharma, contact Hetal Desai 9824055667, source website, Neha ko assign karo",
    "Kumar Steels qualified",
    "Turnover 50 lakh, current system Excel, challenge is follow-up tracking",
    "Schedule meeting with Kumar Steels tomorrow 11am",
    "meeting fix karo Desai Pharma ke saath kal 4 baje, Neha",
    "Schedule demo for Acme Pvt Ltd on 27 Nov at 11am",
    "Move the meeting with Kumar Steels to Friday 5pm",
    "Meeting done for Acme Pvt Ltd. They were very interested.",
    "Demo done for BlueWave Tech, they liked the reporting module",
    "Add note for Kumar Steels: sent brochure on email",
    "Reassign Acme Pvt Ltd to Amit",
    "Deal closed for Acme Pvt Ltd 🎉",
    "Kumar Steels lost - went with a competitor",
    "my tasks today",
    "show my leads",
    "status of Acme Pvt Ltd?",
    "help",
    "ok thanks 👍",
)


def corpus_texts() -> tuple[list[str], str]:
    """The corpus messages and where they came from."""
    if CORPUS.is_file():
        texts = [json.loads(line)["text"] for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
        return texts, f"corpus {CORPUS.name} ({len(texts)} messages)"
    return list(SAMPLE), f"built-in sample of {len(SAMPLE)} (shared corpus not found at {CORPUS})"


class _CountingGpt:
    """A GPT stand-in that counts how often the hybrid parser asks it, and answers with the rules' guess."""

    def __init__(self, rules: Any) -> None:
        self.rules = rules
        self.calls = 0

    def parse(self, text: str, ctx: Any) -> Any:
        """Count the call; answer as the rules did."""
        self.calls += 1
        return self.rules.parse(text, ctx).model_copy(update={"source": "gpt"})


def _gpt_calls(texts: list[str], settings: Any, ctx: Any) -> int:
    """How many of the texts the app's hybrid parser would send to GPT."""
    from crm_core.parsing.hybrid import HybridParser
    from crm_core.parsing.rules import RuleParser

    rules = RuleParser(region=settings.default_region)
    gpt = _CountingGpt(rules)
    hybrid = HybridParser(rules, gpt, threshold=settings.parser_confidence_threshold)
    for text in texts:
        hybrid.parse(text, ctx)
    return gpt.calls


def heldout_texts() -> list[str]:
    """The held-back corpus's messages (none when the file is absent)."""
    if not HELDOUT.is_file():
        return []
    return [json.loads(line)["text"] for line in HELDOUT.read_text(encoding="utf-8").splitlines() if line.strip()]


SCORER = REPO.parent / "shared" / "tools" / "score_parse.py"


def _heldout_quality(settings: Any) -> list[Any]:
    """On the held-back corpus, offline: exact (strict), answered by the rules, confidently wrong (shares of all)."""
    import importlib.util

    from bench.common import not_measured
    from crm_core.parsing.hybrid import HybridParser
    from crm_core.parsing.rules import RuleParser
    from crm_core.ports import ParseContext

    names = ("held-back exact (strict)", "held-back answered by the rules", "held-back confidently wrong")
    if not HELDOUT.is_file() or not SCORER.is_file():
        reason = f"{HELDOUT.name} or the shared scorer {SCORER} is not available"
        return [not_measured(SECTION, n, reason) for n in names]
    spec = importlib.util.spec_from_file_location("score_parse", SCORER)
    if spec is None or spec.loader is None:
        return [not_measured(SECTION, n, "the scorer could not be loaded") for n in names]
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    rows = [json.loads(line) for line in HELDOUT.read_text(encoding="utf-8").splitlines() if line.strip()]
    hybrid = HybridParser(RuleParser(region=settings.default_region), None, settings.parser_confidence_threshold)
    ctx = ParseContext(now=NOW, tz=IST, team_names=CORPUS_TEAM)
    exact = by_rules = wrong = 0
    for row in rows:
        result = hybrid.parse(row["text"], ctx)
        _, misses = scorer.check(row["expect"], result.command.to_contract(), True)
        exact += not misses
        by_rules += result.source == "rules"
        wrong += result.source == "rules" and bool(misses)
    n = len(rows)
    return [
        figure(SECTION, names[0], round(100 * exact / n, 1), "%", Target(">=", 95, "≥ 95 %"), note=f"{exact}/{n}"),
        figure(SECTION, names[1], round(100 * by_rules / n, 1), "%", note=f"{by_rules}/{n}, offline (no model)"),
        figure(SECTION, names[2], round(100 * wrong / n, 1), "%", Target("<=", 2, "≤ 2 %"), note=f"{wrong}/{n}"),
    ]


def _heldout_figure(settings: Any) -> Any:
    """GPT calls per 100 held-out messages: the rules parser, and a counting stand-in for the model."""
    from crm_core.ports import ParseContext

    texts = heldout_texts()
    if not texts:
        from bench.common import not_measured

        return not_measured(SECTION, "GPT calls per 100 held-out messages", f"{HELDOUT} not found")
    with_team = _gpt_calls(texts, settings, ParseContext(now=NOW, tz=IST, team_names=CORPUS_TEAM))
    bare = _gpt_calls(texts, settings, ParseContext(now=NOW, tz=IST))
    return figure(
        SECTION,
        "GPT calls per 100 held-out messages",
        round(100 * with_team / len(texts), 1),
        "calls",
        note=(
            f"{with_team}/{len(texts)} with the team's names in the context ({len(CORPUS_TEAM)}), {bare} without; "
            f"hybrid parser, threshold {settings.parser_confidence_threshold}"
        ),
    )


def measure(run: Run) -> None:
    """Time the rules parser over the corpus, cycled; count the messages the hybrid parser answers without GPT."""
    from crm_core.parsing.rules import RuleParser
    from crm_core.ports import ParseContext

    texts, origin = corpus_texts()
    settings = bench_settings("sqlite://")
    ctx = ParseContext(now=NOW, tz=IST)
    start = time.perf_counter()
    parser = RuleParser(region=settings.default_region)
    for text in texts:
        parser.parse(text, ctx)
    startup_ms = (time.perf_counter() - start) * 1000
    n = run.sizes.parser_messages
    start = time.perf_counter()
    for i in range(n):
        parser.parse(texts[i % len(texts)], ctx)
    rate = n / (time.perf_counter() - start)
    without = len(texts) - _gpt_calls(texts, settings, ctx)
    run.add(
        figure(SECTION, "start-up + first pass over the corpus", round(startup_ms, 1), "ms", note=origin),
        figure(SECTION, "built-in parser throughput", round(rate), "msg/s", SPEED, note=f"{n:,} messages, one thread"),
        figure(
            SECTION,
            "share answered without GPT",
            round(100 * without / len(texts), 1),
            "%",
            note=f"{without}/{len(texts)} (hybrid parser, threshold {settings.parser_confidence_threshold})",
        ),
        _heldout_figure(settings),
        *_heldout_quality(settings),
    )
