"""Reads: p50/p99 of /api/history for a lead with a long history and of an /api/leads page for a busy user."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from typing import Any

from bench.common import (
    NOW,
    Run,
    StatementCounter,
    Target,
    bench_settings,
    figure,
    not_measured,
    percentile,
    postgres_database,
    postgres_reason,
    sqlite_database,
    timed_ms,
)
from bench.fakes import CountingChannel, ListQueue
from bench.seed import analyze, bulk_history, bulk_leads, create_team, one_lead

SECTION = "reads"
HISTORY_P99 = Target("<=", 50, "≤ 50 ms")


def _caller(bridge: Any, path: str, token: str) -> Callable[[], Any]:
    """One GET of the API app, in-process on a long-lived event loop (as the local host serves it)."""
    headers = [("Authorization", f"Bearer {token}")]
    return lambda: bridge.call("GET", path, "", headers, b"")


def _call(fn: Callable[[], Any]) -> tuple[int, Any]:
    answer = fn()
    return answer.status, (json.loads(answer.body) if answer.body else None)


def _size(payload: Any) -> int:
    """How many items a JSON answer carries (a list, or the first list inside an object)."""
    if isinstance(payload, list):
        return len(payload)
    if isinstance(payload, dict):
        for value in payload.values():
            if isinstance(value, list):
                return len(value)
    return 0


def _measure_on(run: Run, db: Any, label: str) -> None:
    from crm_core.api.app import get_app
    from crm_core.clock import FixedClock
    from crm_core.composition import Container, set_container
    from crm_core.db.models import User
    from crm_core.localhost.asgi import AsgiBridge
    from crm_core.security.tokens import issue_token

    sizes = run.sizes
    team = create_team(db)
    owner = team.sender_id
    bulk_leads(db, owner, sizes.user_leads)
    lead_id = one_lead(db, owner)
    bulk_history(db, lead_id, owner, sizes.history_entries)
    analyze(db)
    settings = bench_settings(db.engine.url.render_as_string(hide_password=False))
    container = Container(settings, database=db, clock=FixedClock(NOW), whatsapp=CountingChannel(), queue=ListQueue())
    set_container(container)
    with db.transaction() as session:  # a token needs a password; the bench never logs in, so any hash will do
        user = session.get(User, owner)
        user.password_hash = user.password_hash or "bench-password-hash"
        token, _ = issue_token(owner, user.password_hash, settings, NOW, user.token_version)

    bridge = AsgiBridge(get_app())
    history = _caller(bridge, f"/api/history/{lead_id}", token)
    leads = _caller(bridge, f"/api/leads/{owner}", token)
    try:
        _measure_reads(run, db, label, (("history", history), ("leads", leads)))
    finally:
        bridge.close()


def _measure_reads(run: Run, db: Any, label: str, reads: tuple[tuple[str, Callable[[], Any]], ...]) -> None:
    sizes = run.sizes
    for name, fn in reads:
        status, payload = _call(fn)
        if status != 200:
            run.add(not_measured(SECTION, f"/api/{name} ({label})", f"answered {status}: {str(payload)[:120]}"))
            continue
        with StatementCounter(db.engine) as counter:  # also the warm-up
            for _ in range(3):
                fn()
            statements = counter.count // 3
        samples = timed_ms(fn, sizes.read_calls, sizes.read_budget_seconds)
        if name == "history":
            what = f"lead with {sizes.history_entries:,} entries; {_size(payload):,} items in the answer"
            subject = "/api/history/{lead_id}"
        else:
            what = f"user with {sizes.user_leads:,} leads; {_size(payload):,} items on the page"
            subject = "/api/leads/{user_id} first page"
        note = f"{what}; {statements} statements per call; {len(samples)} calls"
        run.add(
            figure(SECTION, f"{subject} p50 ({label})", round(percentile(samples, 50), 2), "ms", note=note),
            figure(
                SECTION,
                f"{subject} p99 ({label})",
                round(percentile(samples, 99), 2),
                "ms",
                HISTORY_P99 if name == "history" else None,
                note,
            ),
        )


def measure(run: Run) -> None:
    """Seed a busy user and a long history on SQLite (and PostgreSQL when reachable); time the two reads."""
    importlib.import_module("crm_core.api.app")  # fail early, clearly, when the piece is missing
    with sqlite_database(run, "reads") as db:
        _measure_on(run, db, "SQLite")
    reason = None if run.sizes.postgres else "disabled"
    reason = reason or postgres_reason()
    if reason:
        run.add(not_measured(SECTION, "reads on PostgreSQL", reason))
        return
    with postgres_database() as db:
        _measure_on(run, db, "PostgreSQL")
