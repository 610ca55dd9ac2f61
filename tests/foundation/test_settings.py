"""Settings: defaults, environment names, and one clear line for a bad setting."""

from __future__ import annotations

import subprocess
import sys

import pytest

from crm_core.settings import ConfigError, load_settings, parse_hhmm


def test_defaults_are_the_embedded_ones() -> None:
    s = load_settings()
    assert s.database_url.startswith("sqlite:///")
    assert s.openai_model == "gpt-4o"
    assert s.team_timezone == "Asia/Kolkata"
    assert s.default_region == "IN"
    assert s.inbound_queue == "inbound"
    assert not s.use_azure_queue
    assert not s.use_maytapi
    assert not s.llm_configured


def test_environment_names_match_local_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AzureWebJobsStorage", "UseDevelopmentStorage=true")
    monkeypatch.setenv("MAYT_API_URL", "https://api.maytapi.com/api/p/1/sendMessage")
    monkeypatch.setenv("MAYT_API_TOKEN", "tok")
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://x.openai.azure.com")
    monkeypatch.setenv("AZURE_OPENAI_DEPLOYMENT", "gpt-4o")
    monkeypatch.setenv("INBOUND_QUEUE", "inbound-x")
    s = load_settings()
    assert s.use_azure_queue and s.use_maytapi and s.llm_configured
    assert s.inbound_queue == "inbound-x"


def test_identity_based_storage_counts_as_azure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AzureWebJobsStorage__queueServiceUri", "https://acct.queue.core.windows.net")
    assert load_settings().use_azure_queue


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("TEAM_TIMEZONE", "Asia/Kolkatta", "TEAM_TIMEZONE"),
        ("DEFAULT_REGION", "India", "DEFAULT_REGION"),
        ("QUIET_HOURS_START", "25:00", "QUIET_HOURS_START"),
        ("DATABASE_URL", "crm.db", "DATABASE_URL"),
        ("MAYT_API_URL", "ftp://x", "MAYT_API_URL"),
        ("OUTBOX_MAX_ATTEMPTS", "many", "OUTBOX_MAX_ATTEMPTS"),
        ("CHANNEL", "sms", "CHANNEL"),
    ],
)
def test_bad_setting_is_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, fragment: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as err:
        load_settings()
    message = str(err.value)
    assert fragment in message
    assert "\n" not in message


def test_cli_reports_bad_setting_without_traceback(tmp_path) -> None:
    env = {"TEAM_TIMEZONE": "Nowhere/Land", "PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    p = subprocess.run([sys.executable, "-m", "crm_core", "db", "upgrade"], env=env, capture_output=True, text=True)
    assert p.returncode == 2
    assert "TEAM_TIMEZONE" in p.stderr
    assert "Traceback" not in p.stderr


def test_parse_hhmm() -> None:
    assert parse_hhmm("09:05").hour == 9
    with pytest.raises(ValueError):
        parse_hhmm("9am")
