"""Cold start: `import function_app` in a fresh interpreter, against a bare `import azure.functions`."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

from bench.common import REPO, Run, Target, figure, median, not_measured

SECTION = "cold start"
TARGET = Target("<=", 0.3, "≤ 0.3 s above bare import")
_PROBE = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
# What the first API request on a cold instance adds: FastAPI, the models and the routes (crm_core.triggers.http_api).
_FIRST_API = (
    "import time, function_app; t = time.perf_counter(); from crm_core.triggers.http_api import api; api.app(); "
    "print(time.perf_counter() - t)"
)


def _import_seconds(module: str, env: dict[str, str], code: str | None = None) -> float:
    out = subprocess.run(
        [sys.executable, "-c", code or _PROBE.format(module=module)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def measure(run: Run) -> None:
    """Median import times over fresh subprocesses; byte-code cached in a scratch prefix, as a deployed app has."""
    with tempfile.TemporaryDirectory(prefix="crm-bench-pyc-") as pyc:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = pyc
        env["PYTHONPATH"] = str(REPO)
        try:
            for module in ("azure.functions", "function_app"):  # warm the byte-code cache once
                _import_seconds(module, env)
            bare: list[float] = []
            app: list[float] = []
            first_api: list[float] = []
            for _ in range(run.sizes.cold_runs):  # interleaved, so drift on a shared machine hits both alike
                bare.append(_import_seconds("azure.functions", env))
                app.append(_import_seconds("function_app", env))
            for _ in range(max(1, run.sizes.cold_runs // 2)):
                first_api.append(_import_seconds("", env, _FIRST_API))
        except subprocess.CalledProcessError as exc:
            run.add(not_measured(SECTION, "import function_app − bare import", exc.stderr.strip()[-200:], TARGET))
            return
    n = run.sizes.cold_runs
    run.add(
        figure(SECTION, "bare import azure.functions", round(median(bare), 4), "s", note=f"median of {n}"),
        figure(SECTION, "import function_app", round(median(app), 4), "s", note=f"median of {n}"),
        figure(SECTION, "import function_app − bare import", round(median(app) - median(bare), 4), "s", TARGET),
        figure(
            SECTION,
            "first API request: import and build the FastAPI app",
            round(median(first_api), 4),
            "s",
            note=f"median of {len(first_api)}; paid once per instance, by the API only (not the webhook)",
        ),
    )
