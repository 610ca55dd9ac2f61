"""Smoke test of the benchmarks: each measurement runs at a tiny size and reports its figures (no timings judged)."""

from __future__ import annotations

import importlib.util
import json

import pytest

from bench.__main__ import SECTIONS, main, run_sections
from bench.common import Run, Sizes

# The piece each section measures; the section is skipped while that piece does not exist yet.
PIECES = {
    "parser": "crm_core.parsing.rules",
    "webhook": "crm_core.pipeline.webhook",
    "processing": "crm_core.pipeline.process",
    "senders": "crm_core.pipeline.process",
    "media": "crm_core.media.service",
    "sweep": "crm_core.delivery.sweep",
    "reads": "crm_core.api.app",
    "coldstart": "function_app",
    "web": "crm_core.web.static",
}
# What each section must report when it runs (figure names start with these).
EXPECTED = {
    "parser": [
        "built-in parser throughput",
        "share answered without GPT",
        "GPT calls per 100 held-out messages",
        "held-back exact (strict)",
        "held-back answered by the rules",
        "held-back confidently wrong",
    ],
    "webhook": [
        "webhook ack in-process median",
        "webhook ack in-process p99",
        "ack speed-up over the baseline",
        "webhook ack to the durable database queue p99",
    ],
    "processing": ["queue function throughput, SQLite", "statements per command, new_lead (SQLite)"],
    "senders": [
        "sender B latency, A's slow model calls ÷ none (SQLite)",
        "two-sender throughput, a fifth of A's messages with a slow model (SQLite)",
        "model calls per slow message (SQLite)",
    ],
    "media": [
        "transcription calls per voice note",
        "vision calls per card",
        "downloads per voice note",
        "bytes downloaded per voice note",
        "time added by a voice note",
        "time added by a card",
        "webhook ack, voice note ÷ text (medians)",
    ],
    "sweep": ["deliver", "peak memory", "statements per batch"],
    "reads": ["/api/history/{lead_id} p50 (SQLite)", "/api/leads/{user_id} first page p99 (SQLite)"],
    "coldstart": ["import function_app − bare import"],
    "web": ["first page bytes (compressed)", "time to a usable board", "board load bytes (compressed)"],
}


def _available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


@pytest.fixture
def quick_run(tmp_path) -> Run:
    """A run at smoke-test sizes, without the optional PostgreSQL and Azurite parts."""
    sizes = Sizes.quick()
    sizes.postgres = False
    sizes.azurite = False
    return Run(sizes=sizes, workdir=tmp_path, quick=True)


@pytest.mark.parametrize("section", SECTIONS)
def test_section_reports_its_figures(section: str, quick_run: Run) -> None:
    if not _available(PIECES[section]):
        pytest.skip(f"{PIECES[section]} does not exist yet")
    run_sections(quick_run, (section,), log=lambda _msg: None)
    skipped = [f for f in quick_run.figures if f.note.startswith("not measured")]
    broken = [f"{f.name}: {f.note}" for f in skipped if not f.note.endswith(("is not available", "disabled"))]
    assert broken == []
    if any(f.note.endswith("is not available") for f in skipped):
        pytest.skip("; ".join(f.note for f in skipped))
    names = [f.name for f in quick_run.figures]
    for prefix in EXPECTED[section]:
        assert any(n.startswith(prefix) for n in names), f"{prefix!r} missing from {names}"
    for f in quick_run.figures:
        assert f.section
        if f.target is not None and f.value is not None:
            assert f.met in (True, False)


def test_sections_cover_the_issue() -> None:
    assert set(SECTIONS) == set(PIECES) == set(EXPECTED)


def test_main_writes_results_json(tmp_path, capsys) -> None:
    out = tmp_path / "results.json"
    assert main(["--quick", "--only", "coldstart", "--no-postgres", "--no-azurite", "--out", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc["quick"] is True
    assert doc["sections"] == ["coldstart"]
    [fig] = [f for f in doc["figures"] if f["name"] == "import function_app − bare import"]
    assert fig["unit"] == "s" and fig["target"] and fig["met"] in (True, False)
    assert "import function_app" in capsys.readouterr().out


def test_a_missing_piece_is_reported_not_raised(quick_run: Run, monkeypatch) -> None:
    import bench.__main__ as entry

    def missing(_run: Run) -> None:
        raise ModuleNotFoundError("No module named 'crm_core.nowhere'", name="crm_core.nowhere")

    monkeypatch.setattr(entry, "_measure_fn", lambda _section: missing)
    run_sections(quick_run, ("sweep",), log=lambda _msg: None)
    [fig] = quick_run.figures
    assert fig.value is None and fig.note == "not measured: crm_core.nowhere is not available"


@pytest.mark.azurite
def test_webhook_ack_through_azurite(quick_run: Run) -> None:
    from bench.azurite import unavailable_reason

    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    quick_run.sizes.azurite = True
    run_sections(quick_run, ("webhook",), log=lambda _msg: None)
    [median] = [f for f in quick_run.figures if f.name == "webhook ack to Azurite median"]
    assert median.value is not None, median.note
    assert f"{quick_run.sizes.azurite_calls} calls; HTTP [200]" in median.note


@pytest.mark.postgres
def test_processing_and_reads_on_postgres(quick_run: Run) -> None:
    from tests.conftest import pg_url

    if not pg_url():
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL")
    quick_run.sizes.postgres = True
    run_sections(quick_run, ("processing", "reads"), log=lambda _msg: None)
    names = {f.name: f for f in quick_run.figures}
    assert names["queue function throughput, PostgreSQL"].value is not None
    assert names["statements flat from 10 to 200 leads (PostgreSQL)"].value in ("equal", "not equal")
    assert names["/api/history/{lead_id} p99 (PostgreSQL)"].value is not None
