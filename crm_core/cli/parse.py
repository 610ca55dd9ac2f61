"""`parse [--offline] [--now ISO8601] [--tz ZONE]`: one JSON command per stdin line (../shared/contracts/parse.md)."""

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
    p.set_defaults(func=_parse)


def _parse(args: argparse.Namespace) -> int:
    from crm_core.cli import CliError
    from crm_core.commands import Command, Intent
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
    fixed = ParseContext(now=now, tz=tz) if now else None
    for line in stdin:
        text = line.rstrip("\r\n")
        ctx = fixed or ParseContext(now=datetime.now(UTC), tz=tz)
        if not text.strip():
            obj: dict[str, Any] = {"intent": "unknown"}
        else:
            try:
                obj = parser.parse(text, ctx).command.to_contract()
            except TransientError as exc:
                # The model is unavailable: the built-in parser's best guess stands (a queue would retry instead).
                print(f"warning: model unavailable ({exc}); built-in parser answered", file=sys.stderr)
                command = rules.parse(text, ctx).command if rules is not None else Command(intent=Intent.UNKNOWN)
                obj = command.to_contract()
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
