"""checkov on infra/: every Bicep file parses, zero failed checks, every skip inline with its reason."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.infra.conftest import INFRA, bicep_files, parse_bicep

CHECKOV = Path(sys.executable).with_name("checkov")
SKIP = re.compile(r"checkov:skip=([A-Z0-9_]+)(?::(.*))?")


def run_checkov(directory: Path) -> dict[str, Any]:
    """Run checkov's Bicep framework on a directory, offline, and return its JSON report."""
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "LOG_LEVEL": "ERROR"}
    proc = subprocess.run(
        [str(CHECKOV), "--compact", "-d", str(directory), "--framework", "bicep", "--skip-download", "-o", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    start = proc.stdout.find("{")
    assert start >= 0, f"checkov printed no JSON report (exit {proc.returncode}): {proc.stderr[-2000:]}"
    report = json.loads(proc.stdout[start:])
    if isinstance(report, list):  # one report per framework when several ran
        report = next(r for r in report if r.get("check_type") == "bicep")
    assert isinstance(report, dict)
    return report


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    if not CHECKOV.exists():
        pytest.fail(f"checkov is not installed next to {sys.executable} (pip install -r requirements-dev.txt)")
    return run_checkov(INFRA)


@pytest.mark.parametrize("path", bicep_files(), ids=lambda p: str(p.relative_to(INFRA)))
def test_every_bicep_file_parses_with_checkovs_parser(path: Path) -> None:
    template = parse_bicep(path)
    assert template is not None, f"checkov's Bicep parser cannot read {path}"
    assert template.get("resources") or template.get("modules"), f"{path} declares nothing"


def test_checkov_reports_no_parsing_errors(report: dict[str, Any]) -> None:
    assert report["summary"]["parsing_errors"] == 0


def test_checkov_finds_zero_failed_checks(report: dict[str, Any]) -> None:
    failed = [f"{c['check_id']} {c['resource']} {c['file_path']}" for c in report["results"]["failed_checks"]]
    assert failed == []
    assert report["summary"]["failed"] == 0


def test_checkov_ran_checks_on_every_module_with_checked_resources(report: dict[str, Any]) -> None:
    results = report["results"]
    checked = {
        Path(c["file_path"].lstrip("/")).as_posix()
        for kind in ("passed_checks", "skipped_checks")
        for c in results[kind]
    }
    expected = {
        "core/storage/storage-account.bicep",
        "core/security/keyvault.bicep",
        "core/database/sql-server.bicep",
        "core/host/flex-function-app.bicep",
        "core/ai/openai.bicep",
    }
    assert expected <= checked
    assert report["summary"]["passed"] >= 15


def test_every_skip_is_inline_with_a_reason() -> None:
    skips = []
    for path in bicep_files():
        for line in path.read_text(encoding="utf-8").splitlines():
            m = SKIP.search(line)
            if m:
                skips.append((path.name, m.group(1), (m.group(2) or "").strip()))
    assert skips, "expected the documented skips (no VNet in this template)"
    for name, check_id, reason in skips:
        assert len(reason) >= 30, f"{name}: skip of {check_id} needs a reason after the colon"


def test_skips_in_report_match_inline_comments(report: dict[str, Any]) -> None:
    for c in report["results"]["skipped_checks"]:
        assert c["check_result"].get("suppress_comment"), f"{c['check_id']} skipped without an inline reason"


def test_an_unparsable_bicep_file_counts_as_a_parsing_error(tmp_path: Path) -> None:
    (tmp_path / "broken.bicep").write_text("resource x 'Microsoft.Storage/storageAccounts@2023-05-01' = {\n  name: (\n")
    broken = run_checkov(tmp_path)
    assert broken["summary"]["parsing_errors"] == 1
    assert parse_bicep(tmp_path / "broken.bicep") is None
