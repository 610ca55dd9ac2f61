"""`sweep [--now ISO8601] [--dry-run]`: one timer tick by hand (digests, then everything due), as if at that moment;
with --dry-run, what it would send, changing nothing (crm_core.delivery.preview)."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any


def register(sub: Any) -> None:
    """Add the `sweep` subcommand."""
    p = sub.add_parser("sweep", help="plan digests and send everything due from the outbox, once")
    p.add_argument("--now", help="act as if at this moment, e.g. 2026-11-26T10:01+05:30 (default: now)")
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="print what would be sent (digests, reminders, texts to forward) without sending, claiming or planning",
    )
    p.set_defaults(func=_sweep)


def parse_now(raw: str, tz: Any) -> datetime:
    """An ISO 8601 moment; one without an offset is read in the team's zone."""
    from crm_core.cli import CliError

    try:
        at = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise CliError(f"--now {raw!r} is not an ISO 8601 time such as 2026-11-26T10:01+05:30") from None
    return at if at.tzinfo is not None else at.replace(tzinfo=tz)


def _sweep(args: argparse.Namespace) -> int:
    from crm_core.cli.common import container
    from crm_core.clock import FixedClock
    from crm_core.composition import Container, set_container
    from crm_core.delivery.sweep import plan_due_digests, run_sweep

    base = container()
    now = parse_now(args.now, base.settings.tz) if args.now else base.clock.now()
    if getattr(args, "dry_run", False):
        from crm_core.delivery.preview import preview_sweep, render_preview

        print(render_preview(preview_sweep(base, now), now, base.settings.tz))
        return 0
    c = Container(base.settings, database=base.database, clock=FixedClock(now), whatsapp=base.whatsapp)
    set_container(c)
    plan_due_digests(now)
    stats = run_sweep(c, now=now)
    local = now.astimezone(base.settings.tz)
    print(
        f"sweep at {local.isoformat(timespec='minutes')}: claimed {stats.claimed}, sent {stats.sent}, "
        f"retried {stats.retried}, dead {stats.dead}, deferred to after quiet hours {stats.deferred}"
    )
    return 0
