"""`serve` refuses a non-loopback address while the well-known local secrets of `make run` are in use."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from crm_core.composition import Container
from crm_core.settings import ConfigError, load_settings
from tests.host.test_cli import ROOT, cli_env

MAKE_RUN = {
    "WEBHOOK_SECRET": "local-webhook-secret-change-me",
    "AUTH_SECRET": "local-auth-secret-change-me-32-bytes-min",
}


def _settings(tmp_path: Path, **secrets: str):
    return load_settings(
        DATABASE_URL=f"sqlite:///{tmp_path / 'crm.db'}", CHANNEL="console", QUEUE_BACKEND="memory", **secrets
    )


def test_the_known_defaults_are_those_the_makefile_and_the_settings_example_publish():
    from crm_core.security.exposure import WELL_KNOWN_SECRETS

    makefile = (ROOT / "Makefile").read_text()
    published = dict(re.findall(r"^run: export (\w+) \?= (\S+)$", makefile, re.MULTILINE))
    example = json.loads((ROOT / "local.settings.json.example").read_text())["Values"]
    for name in WELL_KNOWN_SECRETS:
        assert published[name] in WELL_KNOWN_SECRETS[name]
        assert example[name] in WELL_KNOWN_SECRETS[name]
    assert published == MAKE_RUN


def test_serve_on_every_interface_with_the_make_run_secrets_is_refused_in_one_line(tmp_path):
    env = {**cli_env(tmp_path), **MAKE_RUN}
    result = subprocess.run(
        [sys.executable, "-m", "crm_core", "serve", "--host", "0.0.0.0", "--port", "0"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=30,
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: refusing to listen on 0.0.0.0"), result.stderr
    assert "AUTH_SECRET" in lines[0] and "WEBHOOK_SECRET" in lines[0]
    assert "CRM bot running" not in result.stdout


@pytest.mark.parametrize(
    ("secrets", "named"),
    [
        ({"AUTH_SECRET": MAKE_RUN["AUTH_SECRET"], "WEBHOOK_SECRET": "a-real-webhook-secret-0123456789"}, "AUTH_SECRET"),
        (
            {"AUTH_SECRET": "a-real-auth-secret-0123456789abcdef0123", "WEBHOOK_SECRET": MAKE_RUN["WEBHOOK_SECRET"]},
            "WEBHOOK_SECRET",
        ),
    ],
)
def test_the_refusal_names_the_setting_to_change(tmp_path, secrets, named):
    from crm_core.security.exposure import exposure_problem

    problem = exposure_problem("0.0.0.0", _settings(tmp_path, **secrets))
    assert problem is not None and f"set {named} to a random value" in problem
    other = ({"AUTH_SECRET", "WEBHOOK_SECRET"} - {named}).pop()
    assert other not in problem


def test_the_local_host_does_not_listen_when_refused(tmp_path):
    from crm_core.localhost import LocalHost

    host = LocalHost(
        host="0.0.0.0", port=0, container=Container(_settings(tmp_path, **MAKE_RUN)), queues=False, timers=False
    )
    with pytest.raises(ConfigError, match=r"refusing to listen on 0\.0\.0\.0"):
        host.start()
    assert host.url is None


def test_loopback_with_the_defaults_and_any_address_with_real_secrets_are_fine(tmp_path):
    from crm_core.security.exposure import exposure_problem

    assert exposure_problem("127.0.0.1", _settings(tmp_path, **MAKE_RUN)) is None
    assert exposure_problem("localhost", _settings(tmp_path, **MAKE_RUN)) is None
    real = {"AUTH_SECRET": "a-real-auth-secret-0123456789abcdef0123", "WEBHOOK_SECRET": "a-real-webhook-secret-0123"}
    assert exposure_problem("0.0.0.0", _settings(tmp_path, **real)) is None


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("", False),
        ("192.168.1.10", False),
        ("no-such-host.invalid", False),
    ],
)
def test_loopback_addresses(host, loopback):
    from crm_core.security.exposure import is_loopback

    assert is_loopback(host) is loopback
