"""`parse [--offline] [--now ISO] [--tz ZONE] [--team NAMES] [--explain]`: one JSON command per stdin line.

The contract is ../shared/contracts/parse.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def register(sub: Any) -> None:
    """Add the `parse` subcommand."""
    p = sub.add_parser("parse", help="parse messages from stdin into JSON commands, one per line")
    p.add_argument("--offline", action="store_true", help="built-in parser only; no network model is called")
    p.add_argument("--now", help="the moment relative dates count from (ISO 8601; default: the clock)")
    p.add_argument("--tz", help="the team's zone (IANA name; default: TEAM_TIMEZONE)")
    p.add_argument("--team", help="comma-separated names of the team's members: the only possible assignees")
    p.add_argument("--explain", action="store_true", help="add `confidence` and `answered_by` (rules|gpt|ask)")
    p.set_defaults(func=_parse)


def _parse(args: argparse.Namespace) -> int:
    from crm_core.cli import CliError
    from crm_core.commands import Command, Intent, ParseResult
    from crm_core.errors import TransientError
    from crm_core.parsing.hybrid import build_parser
    from crm_core.ports import ParseContext
    from crm_core.settings import load_settings

    settings = load_settings()
    try:
        tz = ZoneInfo(args.tz) if args.tz else settings.tz
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise CliError(f"--tz {args.tz!r} is not a known IANA time zone") from exc
    now = _moment(args.now, tz, CliError)
    parser = build_parser(settings, offline=args.offline)
    stdin = sys.stdin
    if hasattr(stdin, "reconfigure"):
        stdin.reconfigure(encoding="utf-8", errors="replace")
    out = sys.stdout
    if hasattr(out, "reconfigure"):
        out.reconfigure(encoding="utf-8")
    rules = getattr(parser, "rules", None)
    team = tuple(n.strip() for n in (args.team or "").split(",") if n.strip())
    for line in stdin:
        text = line.rstrip("\r\n")
        ctx = ParseContext(now=now or datetime.now(UTC), tz=tz, team_names=team)
        if not text.strip():
            result = ParseResult(command=Command(intent=Intent.UNKNOWN), confidence=1.0)
        else:
            try:
                result = parser.parse(text, ctx)
            except TransientError as exc:
                # The model is unavailable: a queue would retry; here the rules' reading is shown, to be asked about.
                print(f"warning: model unavailable ({exc}); built-in parser answered", file=sys.stderr)
                result = (
                    rules.parse(text, ctx)
                    if rules is not None
                    else ParseResult(command=Command(intent=Intent.UNKNOWN), confidence=0)
                )
                result = result.model_copy(update={"source": "ask"})
        obj: dict[str, Any] = result.command.to_contract()
        if args.explain:
            obj["confidence"] = result.confidence
            obj["answered_by"] = "rules" if result.source == "fallback" else result.source
        out.write(json.dumps(obj, ensure_ascii=False) + "\n")
        out.flush()
    return 0


def _moment(value: str | None, tz: ZoneInfo, error: type[Exception]) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise error(f"--now {value!r} is not an ISO 8601 moment such as 2026-11-24T10:00:00+05:30") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)
