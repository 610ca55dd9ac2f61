"""The Functions app: its index lists the webhook, the API's catch-all, the queue and the timer (the API's own
routes are FastAPI's, tests/api); importing it stays light."""

from __future__ import annotations

import json
import subprocess
import sys

SEED_ROUTES = {
    ("POST", "webhook"),
    ("GET", "/{*route}"),  # the API (FastAPI behind AsgiFunctionApp): every method of every /api path
    ("POST", "/{*route}"),
    ("OPTIONS", "/{*route}"),
}


def _index() -> list[dict]:
    import function_app

    out = []
    for fn in function_app.app.get_functions():
        for b in fn.get_bindings():
            d = b.get_dict_repr()
            if d["type"].endswith("Trigger"):
                out.append({"name": fn.get_function_name(), **{k: v for k, v in d.items() if k != "direction"}})
    return out


def test_index_lists_seed_routes_queue_and_timer() -> None:
    idx = _index()
    routes = {
        (str(getattr(m, "value", m)), d["route"]) for d in idx if d["type"] == "httpTrigger" for m in d["methods"]
    }
    assert SEED_ROUTES <= routes
    queues = {d["queueName"] for d in idx if d["type"] == "queueTrigger"}
    assert "%INBOUND_QUEUE%" in queues
    assert any(d["type"] == "timerTrigger" and d["schedule"] == "%SWEEP_SCHEDULE%" for d in idx)


def test_import_reads_no_setting_and_loads_nothing_heavy(tmp_path) -> None:
    code = (
        "import os, sys, json\n"
        "os.environ['TEAM_TIMEZONE'] = 'Not/AZone'\n"  # a bad setting must not matter at import time
        "import function_app\n"
        "heavy = [m for m in ('sqlalchemy', 'openai', 'pyodbc', 'requests', 'azure.storage.queue', 'azure.identity',"
        " 'rapidfuzz', 'phonenumbers', 'argon2', 'jwt', 'alembic', 'fastapi', 'starlette', 'pydantic', 'croniter')"
        " if m in sys.modules]\n"
        "print(json.dumps(heavy))\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(_root()))
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == []


def _root():
    from pathlib import Path

    return Path(__file__).resolve().parents[2]
