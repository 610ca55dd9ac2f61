"""`python -m bench [--quick] [--only SECTION ...] [--out PATH]`: run the benchmarks, print a table, write JSON."""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import shutil
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from bench.common import REPO, Figure, Run, Sizes, fmt, not_measured, scratch_dir

SECTIONS = ("parser", "webhook", "processing", "senders", "media", "sweep", "reads", "coldstart", "web")
# Never reach real services from a benchmark: the channel is a fake, GPT is a stand-in.
_SCRUB_PREFIXES = ("OPENAI_", "AZURE_OPENAI", "MAYT", "AzureWebJobs", "AZUREWEBJOBS")
_SCRUB = {"DATABASE_URL", "WEBHOOK_SECRET", "AUTH_SECRET", "CHANNEL", "QUEUE_BACKEND"}


def _measure_fn(section: str) -> Callable[[Run], None]:
    import importlib

    module = importlib.import_module(f"bench.{section}")
    fn: Callable[[Run], None] = module.measure
    return fn


def run_sections(run: Run, sections: tuple[str, ...], log: Callable[[str], None] = print) -> None:
    """Run each section; a section that cannot run is reported as not measured, never a crash."""
    for section in sections:
        start = time.perf_counter()
        log(f"… {section}")
        before = len(run.figures)
        try:
            _measure_fn(section)(run)
        except ModuleNotFoundError as exc:
            run.add(not_measured(section, "(all)", f"{exc.name} is not available"))
        except Exception as exc:
            detail = traceback.format_exc(limit=4) if os.environ.get("BENCH_DEBUG") else ""
            run.add(not_measured(section, "(all)", f"{type(exc).__name__}: {exc}"[:300]))
            if detail:
                log(detail)
        log(f"  {section}: {len(run.figures) - before} figures in {time.perf_counter() - start:.1f} s")


def table(figures: list[Figure]) -> str:
    """The figures as a plain-text table."""
    rows = [("section", "figure", "value", "unit", "target", "met", "note")]
    for f in figures:
        met = "—" if f.met is None else ("yes" if f.met else "NO")
        rows.append((f.section, f.name, fmt(f.value), f.unit, f.target or "", met, f.note))
    widths = [max(len(r[i]) for r in rows) for i in range(6)]
    lines = []
    for i, r in enumerate(rows):
        cells = [r[0].ljust(widths[0]), r[1].ljust(widths[1]), r[2].rjust(widths[2])]
        cells += [r[3].ljust(widths[3]), r[4].ljust(widths[4]), r[5].ljust(widths[5]), r[6]]
        lines.append("  ".join(cells).rstrip())
        if i == 0:
            lines.append("-" * min(160, sum(widths) + 12 + len("note")))
    return "\n".join(lines)


def results(run: Run, sections: tuple[str, ...], seconds: float) -> dict[str, object]:
    """The results.json document."""
    return {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "quick": run.quick,
        "sections": list(sections),
        "sizes": asdict(run.sizes),
        "seconds": round(seconds, 1),
        "figures": [f.as_dict() for f in run.figures],
        "missed": [f"{f.section}: {f.name}" for f in run.figures if f.met is False],
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks; exit 0 whatever the figures are (the bench reports, it does not judge)."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the smoke test")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, help="run only these sections")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results.json", help="where to write JSON")
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL measurements")
    parser.add_argument("--no-azurite", action="store_true", help="skip the Azurite measurements")
    args = parser.parse_args(argv)

    for key in list(os.environ):
        if key.startswith(_SCRUB_PREFIXES) or key in _SCRUB:
            del os.environ[key]
    logging.disable(logging.WARNING)
    sizes = (Sizes.quick() if args.quick else Sizes()).with_env()
    if args.no_postgres:
        sizes.postgres = False
    if args.no_azurite:
        sizes.azurite = False
    sections = tuple(args.only or SECTIONS)
    workdir = scratch_dir()
    run = Run(sizes=sizes, workdir=workdir, quick=args.quick)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    start = time.perf_counter()
    try:
        run_sections(run, sections, log)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        from crm_core.composition import set_container

        set_container(None)
    seconds = time.perf_counter() - start
    print(table(run.figures))
    missed = [f for f in run.figures if f.met is False]
    print(f"\n{len(run.figures)} figures in {seconds:.0f} s; {len(missed)} target(s) missed")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results(run, sections, seconds), indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
