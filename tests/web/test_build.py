"""The dashboard's build and its pure helpers, without a browser: node's test runner on the TypeScript helpers
(Indian formats, the WhatsApp commands a board move sends, Message Master rendering), and a build for another
API origin (Static Web Apps) that puts that origin in the bundle and in the site's Content-Security-Policy."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.web.conftest import REPO, _unavailable


def _node() -> str:
    node = shutil.which("node")
    if node is None or not (REPO / "node_modules" / "esbuild").is_dir():
        _unavailable("Node.js and the npm packages are needed (npm ci)")
    assert node is not None
    return node


def test_the_typescript_helpers_pass_their_unit_tests() -> None:
    proc = subprocess.run(
        [_node(), "web/test/run.mjs"], cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "# fail 0" in proc.stdout


def test_a_build_for_another_api_origin(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    env = {
        **os.environ,
        "CRM_WEB_OUT": str(out),
        "CRM_API_BASE": "https://func-api-abc.azurewebsites.net/",
        "CRM_TEAM_TIMEZONE": "Asia/Kolkata",
    }
    proc = subprocess.run(
        [_node(), "web/build.mjs"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((out / "build.json").read_text(encoding="utf-8"))
    assert manifest["api_base"] == "https://func-api-abc.azurewebsites.net"
    assert "https://func-api-abc.azurewebsites.net" in (out / manifest["js"]).read_text(encoding="utf-8")
    swa = json.loads((out / "staticwebapp.config.json").read_text(encoding="utf-8"))
    csp = swa["globalHeaders"]["Content-Security-Policy"]
    assert "connect-src 'self' https://func-api-abc.azurewebsites.net;" in csp
    assert "script-src 'self';" in csp


def test_a_bad_api_origin_is_refused(tmp_path: Path) -> None:
    env = {**os.environ, "CRM_WEB_OUT": str(tmp_path / "d"), "CRM_API_BASE": "func-api.azurewebsites.net/api"}
    proc = subprocess.run(
        [_node(), "web/build.mjs"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 2 and "CRM_API_BASE" in proc.stderr


@pytest.mark.parametrize("name", ["index.html", "favicon.svg", "staticwebapp.config.json"])
def test_the_public_files_are_in_the_source(name: str) -> None:
    assert (REPO / "web" / ("index.html" if name == "index.html" else f"public/{name}")).is_file()
