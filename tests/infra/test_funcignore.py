""".funcignore: the deployed package holds the app and nothing of the local host, bench, tests, tools, infra,
node_modules or the dashboard's sources (gitignore semantics, as Core Tools and azd read it)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pathspec

ROOT = Path(__file__).resolve().parents[2]


def _spec() -> pathspec.GitIgnoreSpec:
    lines = (ROOT / ".funcignore").read_text(encoding="utf-8").splitlines()
    return pathspec.GitIgnoreSpec.from_lines(lines)


def _tracked() -> list[str]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if line]


def test_the_local_host_bench_tests_tools_node_modules_and_web_sources_stay_out() -> None:
    spec = _spec()
    for path in (
        "crm_core/localhost/host.py",
        "crm_core/localhost/http_server.py",
        "bench/coldstart.py",
        "tests/api/client.py",
        "tools/worker_check.py",
        "node_modules/azurite/package.json",
        "web/src/main.ts",
        "web/index.html",
        "web/package.json",
        "web/dist/index.html",  # served by its own Static Web App (infra/app/web.bicep)
        "infra/main.bicep",
        "local.settings.json",
        "crm.db",
        ".venv/bin/python",
        ".venv-worker/bin/python",
    ):
        assert spec.match_file(path), f"{path} would be deployed"


def test_the_app_itself_is_deployed() -> None:
    spec = _spec()
    for path in (
        "function_app.py",
        "host.json",
        "requirements.txt",
        "crm_core/__init__.py",
        "crm_core/api/app.py",
        "crm_core/triggers/http_api.py",
        "crm_core/db/migrations/versions/0001_initial_schema.py",
    ):
        assert not spec.match_file(path), f"{path} would be left out"


def test_every_deployed_file_is_the_apps() -> None:
    """Of the tracked files, only the app's own are deployed: function_app.py, host.json, requirements.txt and
    crm_core/ (less crm_core/localhost); the dashboard has its own Static Web App."""
    spec = _spec()
    deployed = [p for p in _tracked() if not spec.match_file(p)]
    allowed = ("function_app.py", "host.json", "requirements.txt", ".funcignore")
    strays = [p for p in deployed if p not in allowed and not p.startswith("crm_core/")]
    assert strays == []
    assert "function_app.py" in deployed and any(p.startswith("crm_core/api/") for p in deployed)
