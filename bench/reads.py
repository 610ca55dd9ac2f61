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


def _request(path: str, route_params: dict[str, str], token: str, params: dict[str, str] | None = None) -> Any:
    import azure.functions as func

    return func.HttpRequest(
        method="GET",
        url=f"http://localhost/api/{path}",
        headers={"Authorization": f"Bearer {token}"},
        params=params or {},
        route_params=route_params,
        body=b"",
    )


def _call(fn: Callable[[Any], Any], req: Any) -> tuple[int, Any]:
    resp = fn(req)
    body = resp.get_body()
    return resp.status_code, (json.loads(body) if body else None)


def _caller(fn: Callable[[Any], Any], req: Any) -> Callable[[], Any]:
    return lambda: fn(req)


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
    from crm_core.clock import FixedClock
    from crm_core.composition import Container, set_container
    from crm_core.db.models import User
    from crm_core.security.tokens import issue_token

    routes = importlib.import_module("crm_core.api.routes")
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

    history_req = _request(f"history/{lead_id}", {"lead_id": str(lead_id)}, token)
    leads_req = _request(f"leads/{owner}", {"user_id": str(owner)}, token)
    for name, fn, req in (("history", routes.history, history_req), ("leads", routes.leads, leads_req)):
        status, payload = _call(fn, req)
        if status != 200:
            run.add(not_measured(SECTION, f"/api/{name} ({label})", f"answered {status}: {str(payload)[:120]}"))
            continue
        with StatementCounter(db.engine) as counter:  # also the warm-up
            for _ in range(3):
                fn(req)
            statements = counter.count // 3
        samples = timed_ms(_caller(fn, req), sizes.read_calls, sizes.read_budget_seconds)
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
    importlib.import_module("crm_core.api.routes")  # fail early, clearly, when the piece is missing
    with sqlite_database(run, "reads") as db:
        _measure_on(run, db, "SQLite")
    reason = None if run.sizes.postgres else "disabled"
    reason = reason or postgres_reason()
    if reason:
        run.add(not_measured(SECTION, "reads on PostgreSQL", reason))
        return
    with postgres_database() as db:
        _measure_on(run, db, "PostgreSQL")
