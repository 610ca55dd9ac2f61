"""`python -m crm_core parse` per the contract: stdin lines in, one JSON object per line out, nothing else."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus" / "commands.jsonl"
SCORE = REPO.parent / "shared" / "tools" / "score_parse.py"
NOW = "2026-11-24T10:00:00+05:30"


def run_parse(stdin: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI"))}
    base["PYTHONPATH"] = str(REPO)
    return subprocess.run(
        [sys.executable, "-m", "crm_core", "parse", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REPO,
        env={**base, **(env or {})},
        timeout=120,
    )


def test_one_object_per_line_and_empty_line_is_unknown() -> None:
    out = run_parse("help\n\nshow my leads\n", "--offline", "--now", NOW)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert [json.loads(line) for line in lines] == [
        {"intent": "help"},
        {"intent": "unknown"},
        {"intent": "list_leads"},
    ]


def test_now_and_tz_count_relative_dates() -> None:
    out = run_parse(
        "my tasks today\nkal ke tasks batao\n",
        "--offline",
        "--now",
        "2026-11-24T22:00:00+00:00",
        "--tz",
        "Asia/Kolkata",
    )
    days = [json.loads(line)["when"] for line in out.stdout.splitlines()]
    assert days == ["2026-11-25", "2026-11-26"]  # 22:00 UTC is already the 25th in India


def test_times_carry_the_zone_offset() -> None:
    out = run_parse(
        "Schedule meeting with Acme Pvt Ltd tomorrow 11am\n", "--offline", "--now", NOW, "--tz", "Asia/Dubai"
    )
    assert json.loads(out.stdout)["when"] == "2026-11-25T11:00:00+04:00"


def test_devanagari_round_trips_as_utf8() -> None:
    out = run_parse("लीड क्वालिफाइड: लोटस इंटीरियर्स\n", "--offline", "--now", NOW)
    assert json.loads(out.stdout) == {"intent": "qualify_lead", "company": "लोटस इंटीरियर्स"}


def test_bad_arguments_are_one_line_errors() -> None:
    out = run_parse("help\n", "--offline", "--now", "yesterday-ish")
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.startswith("error: --now")
    out = run_parse("help\n", "--offline", "--tz", "Mars/Olympus")
    assert out.returncode == 2 and "--tz" in out.stderr


@pytest.mark.skipif(not CORPUS.is_file() or not SCORE.is_file(), reason="shared corpus not present")
def test_corpus_scores_64_of_64() -> None:
    cmd = f"{sys.executable} -m crm_core parse --offline --now {NOW}"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, str(SCORE), str(CORPUS), "--cmd", cmd, "--show-misses", "--min-exact", "1.0"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "MISS" not in out.stdout
    assert "exact match 64/64" in out.stdout


def test_corpus_line_count_matches_without_the_score_tool() -> None:
    if not CORPUS.is_file():
        pytest.skip("shared corpus not present")
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = run_parse("\n".join(r["text"] for r in rows) + "\n", "--offline", "--now", NOW)
    got = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(got) == len(rows)
    for row, obj in zip(rows, got, strict=True):
        intents = row["expect"]["intent"]
        assert obj["intent"] in (intents if isinstance(intents, list) else [intents]), row["text"]


def test_without_offline_and_gpt_configured_uses_the_hybrid() -> None:
    from tests.fakes.openai_server import FakeOpenAI, command_json

    with FakeOpenAI() as server:
        server.reply(command_json("add_activity", company="Acme Pvt Ltd", note="quote bhej diya"))
        env = {"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": server.base_url, "LLM_MAX_RETRIES": "0"}
        out = run_parse(
            "Schedule meeting with Kumar Steels tomorrow 11am\nquote bhej diya unko\n", "--now", NOW, env=env
        )
        assert out.returncode == 0, out.stderr
        got = [json.loads(line) for line in out.stdout.splitlines()]
        assert got[0]["intent"] == "schedule_meeting"  # the rules were sure: no call
        assert got[1] == {"intent": "add_activity", "company": "Acme Pvt Ltd", "note": "quote bhej diya"}
        assert server.calls == 1
        assert "2026-11-24T10:00:00+05:30" in server.requests[0].system


def test_model_outage_falls_back_to_the_built_in_answer() -> None:
    from tests.fakes.openai_server import FakeOpenAI

    with FakeOpenAI() as server:
        server.fail(429, times=5)
        env = {"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": server.base_url, "LLM_MAX_RETRIES": "0"}
        out = run_parse("meeting with acme\n", "--now", NOW, env=env)
    assert out.returncode == 0
    assert json.loads(out.stdout) == {"intent": "schedule_meeting", "company": "acme"}
    assert "model unavailable" in out.stderr
