"""local.settings.json and .env loading, host.json options and %SETTING% resolution."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from crm_core.localhost.config import (
    load_dotenv_file,
    load_local_settings,
    parse_timespan,
    queue_options,
    read_host_json,
    resolve_placeholders,
    route_prefix,
)
from crm_core.settings import ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_local_settings_values_fill_the_environment_without_overriding(tmp_path, monkeypatch) -> None:
    for key in ("LH_TEST_A", "LH_TEST_B", "LH_TEST_C"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("LH_TEST_B", "from-shell")
    path = tmp_path / "local.settings.json"
    payload = {"IsEncrypted": False, "Values": {"LH_TEST_A": "a", "LH_TEST_B": "b", "LH_TEST_C": 3}}
    path.write_text(json.dumps(payload))
    assert sorted(load_local_settings(path)) == ["LH_TEST_A", "LH_TEST_C"]
    assert os.environ["LH_TEST_A"] == "a"
    assert os.environ["LH_TEST_B"] == "from-shell"
    assert os.environ["LH_TEST_C"] == "3"


def test_a_missing_local_settings_file_is_fine(tmp_path) -> None:
    assert load_local_settings(tmp_path / "local.settings.json") == []


def test_a_broken_local_settings_file_is_one_clear_error(tmp_path) -> None:
    path = tmp_path / "local.settings.json"
    path.write_text("{ not json")
    with pytest.raises(ConfigError, match=r"local\.settings\.json is not valid JSON"):
        load_local_settings(path)


def test_dotenv_fills_the_environment_without_overriding(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("LH_DOTENV_A", raising=False)
    monkeypatch.setenv("LH_DOTENV_B", "shell")
    (tmp_path / ".env").write_text('LH_DOTENV_A="quoted value"\n# comment\nLH_DOTENV_B=file\n')
    assert load_dotenv_file(tmp_path / ".env") == ["LH_DOTENV_A"]
    assert os.environ["LH_DOTENV_A"] == "quoted value"
    assert os.environ["LH_DOTENV_B"] == "shell"
    monkeypatch.delenv("LH_DOTENV_A")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("00:00:30", 30), ("00:10:00", 600), ("1.02:00:00", 93600), ("00:00:00.500", 0.5), ("01:00:00", 3600)],
)
def test_timespans(text: str, seconds: float) -> None:
    assert parse_timespan(text) == seconds


def test_a_bad_timespan_is_refused() -> None:
    with pytest.raises(ValueError):
        parse_timespan("30s")


def test_the_projects_host_json_queue_options() -> None:
    host_json = read_host_json(ROOT / "host.json")
    options = queue_options(host_json)
    assert options.max_dequeue_count == 5
    assert options.visibility_timeout == 30
    assert options.batch_size == 8
    assert options.concurrency == 12  # batchSize + newBatchThreshold
    assert route_prefix(host_json) == "api"


def test_defaults_without_host_json(tmp_path) -> None:
    options = queue_options(read_host_json(tmp_path / "host.json"))
    assert (options.max_dequeue_count, options.batch_size, options.visibility_timeout) == (5, 16, 0)
    assert options.concurrency == 24
    assert route_prefix({}) == "api"


def test_an_invalid_queue_option_is_one_clear_error() -> None:
    with pytest.raises(ConfigError, match=r"extensions\.queues"):
        queue_options({"extensions": {"queues": {"maxDequeueCount": "five"}}})


def test_placeholders_resolve_from_the_settings_first_then_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("INBOUND_QUEUE", "from-env")
    monkeypatch.setenv("LH_OTHER", "x")
    settings = load_settings(INBOUND_QUEUE="from-settings", SWEEP_SCHEDULE="*/5 * * * * *")
    assert resolve_placeholders("%INBOUND_QUEUE%-poison", settings) == "from-settings-poison"
    assert resolve_placeholders("%SWEEP_SCHEDULE%", settings) == "*/5 * * * * *"
    assert resolve_placeholders("%LH_OTHER%/%INBOUND_QUEUE%", settings) == "x/from-settings"
    assert resolve_placeholders("%INBOUND_QUEUE%") == "from-env"
    assert resolve_placeholders("plain") == "plain"


def test_an_unknown_placeholder_names_the_setting_and_its_user(monkeypatch) -> None:
    monkeypatch.delenv("LH_NOT_SET", raising=False)
    with pytest.raises(ConfigError, match=r"Setting LH_NOT_SET is missing \(used by function f\)"):
        resolve_placeholders("%LH_NOT_SET%", what="function f")
