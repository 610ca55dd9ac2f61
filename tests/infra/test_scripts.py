"""The post-deploy scripts: the SQL runner, the database-user script, the hooks (with fake az/azd/Maytapi)."""

from __future__ import annotations

import importlib.util
import json
import os
import stat
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar

import pytest
from sqlalchemy import create_engine, text

from tests.infra.conftest import INFRA, ROOT

SCRIPTS = INFRA / "scripts"


def load_run_sql() -> ModuleType:
    """Import infra/scripts/run_sql.py (a script, not a package module)."""
    spec = importlib.util.spec_from_file_location("run_sql", SCRIPTS / "run_sql.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_create_db_user_script_has_two_idempotent_batches() -> None:
    rs = load_run_sql()
    sql = (SCRIPTS / "create_db_user.sql").read_text(encoding="utf-8")
    script = rs.substitute(
        sql, {"IDENTITY_NAME": "id-api-abc123", "IDENTITY_CLIENT_ID": "0f0e0d0c-1111-2222-3333-444455556666"}
    )
    batches = rs.split_batches(script)
    assert len(batches) == 2
    assert "IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = N'id-api-abc123')" in batches[0]
    assert "TYPE = E" in batches[0] and "0f0e0d0c-1111-2222-3333-444455556666" in batches[0]
    assert "db_datareader" in batches[1] and "db_datawriter" in batches[1]
    assert "db_owner" not in script and "db_ddladmin" not in script  # the app gets read/write only
    assert "$(" not in script


def test_substitute_refuses_missing_and_unsafe_values() -> None:
    rs = load_run_sql()
    with pytest.raises(rs.ScriptError, match="IDENTITY_NAME"):
        rs.substitute("SELECT N'$(IDENTITY_NAME)'", {})
    for bad in ("x'; DROP TABLE leads; --", "a]b", "has space", ""):
        with pytest.raises(rs.ScriptError, match="not allowed"):
            rs.substitute("SELECT N'$(IDENTITY_NAME)'", {"IDENTITY_NAME": bad})


def test_parse_vars_needs_name_equals_value() -> None:
    rs = load_run_sql()
    assert rs.parse_vars(["A=1", "B = two"]) == {"A": "1", "B": "two"}
    with pytest.raises(rs.ScriptError):
        rs.parse_vars(["novalue"])


def test_split_batches_ignores_comment_only_batches() -> None:
    rs = load_run_sql()
    assert rs.split_batches("-- header\nGO\nSELECT 1\ngo\n  GO  \nSELECT 2;\n") == ["SELECT 1", "SELECT 2;"]


def test_run_sql_executes_every_batch_against_a_database(tmp_path: Path) -> None:
    rs = load_run_sql()
    db = tmp_path / "t.db"
    script = tmp_path / "s.sql"
    script.write_text("-- make a table\nCREATE TABLE $(TABLE) (id INTEGER)\nGO\nINSERT INTO $(TABLE) VALUES (7)\nGO\n")
    assert rs.main(["--url", f"sqlite:///{db}", "--file", str(script), "--var", "TABLE=probe"]) == 0
    with create_engine(f"sqlite:///{db}").connect() as conn:
        assert conn.execute(text("SELECT id FROM probe")).scalar_one() == 7


def test_run_sql_reports_a_bad_variable_and_runs_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rs = load_run_sql()
    db = tmp_path / "t.db"
    script = tmp_path / "s.sql"
    script.write_text("CREATE TABLE $(TABLE) (id INTEGER)\n")
    assert rs.main(["--url", f"sqlite:///{db}", "--file", str(script), "--var", "TABLE=x;y"]) == 2
    assert "not allowed" in capsys.readouterr().err
    assert not db.exists()


# --- shell hooks, with fake az / azd on PATH and a loopback fake Maytapi --------------------------------------


def _fake_bin(tmp_path: Path, vault: dict[str, str]) -> tuple[Path, Path]:
    """Fake `az` (Key Vault reads) and `azd` (records `env set`) scripts; returns (bin dir, azd log)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "azd.log"
    vault_file = tmp_path / "vault.json"
    vault_file.write_text(json.dumps(vault))
    az = bin_dir / "az"
    az.write_text(
        "#!/bin/sh\n"
        f'python3 -c \'import json,sys; v=json.load(open("{vault_file}")); n=sys.argv[sys.argv.index("--name")+1]; '
        'print(v[n]) if n in v else sys.exit(3)\' "$@"\n'
    )
    azd = bin_dir / "azd"
    azd.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\n')
    for f in (az, azd):
        f.chmod(f.stat().st_mode | stat.S_IEXEC)
    return bin_dir, log


def _run(script: str, env: dict[str, str], bin_dir: Path) -> subprocess.CompletedProcess[str]:
    base = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "HOME": str(bin_dir.parent)}
    return subprocess.run(
        ["sh", str(SCRIPTS / script)], env={**base, **env}, capture_output=True, text=True, timeout=60, cwd=ROOT
    )


class _Maytapi(BaseHTTPRequestHandler):
    calls: ClassVar[list[dict[str, Any]]] = []
    reply = b'{"success":true}'

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).calls.append({"path": self.path, "key": self.headers["x-maytapi-key"], "body": json.loads(body)})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(type(self).reply)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def maytapi() -> Iterator[str]:
    _Maytapi.calls = []
    _Maytapi.reply = b'{"success":true}'
    server = HTTPServer(("127.0.0.1", 0), _Maytapi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/api"
    server.shutdown()
    server.server_close()


def test_register_webhook_posts_the_url_with_its_secret(tmp_path: Path, maytapi: str) -> None:
    bin_dir, _ = _fake_bin(tmp_path, {"mayt-api-token": "tok-123", "webhook-secret": "s3cr&t/+x"})
    env = {
        "MAYTAPI_BASE_URL": maytapi,
        "MAYTAPI_PRODUCT_ID": "prod-1",
        "SERVICE_API_URI": "https://func-api-x.azurewebsites.net/",
        "AZURE_KEY_VAULT_NAME": "kv-x",
    }
    proc = _run("register_webhook.sh", env, bin_dir)
    assert proc.returncode == 0, proc.stderr
    assert _Maytapi.calls == [
        {
            "path": "/api/prod-1/setWebhook",
            "key": "tok-123",
            "body": {"webhook": "https://func-api-x.azurewebsites.net/api/webhook?secret=s3cr%26t%2F%2Bx"},
        }
    ]
    assert "tok-123" not in proc.stdout + proc.stderr and "s3cr" not in proc.stdout + proc.stderr


def test_register_webhook_fails_loudly_when_maytapi_refuses(tmp_path: Path, maytapi: str) -> None:
    bin_dir, _ = _fake_bin(tmp_path, {"mayt-api-token": "tok", "webhook-secret": "sec"})
    _Maytapi.reply = b'{"success":false,"message":"Invalid product"}'
    env = {
        "MAYTAPI_BASE_URL": maytapi,
        "MAYTAPI_PRODUCT_ID": "p",
        "SERVICE_API_URI": "https://h",
        "AZURE_KEY_VAULT_NAME": "kv",
    }
    proc = _run("register_webhook.sh", env, bin_dir)
    assert proc.returncode != 0
    assert "Invalid product" in proc.stderr


def test_preprovision_generates_missing_secrets_and_keeps_vault_values(tmp_path: Path) -> None:
    bin_dir, log = _fake_bin(tmp_path, {"webhook-secret": "from-the-vault-" + "v" * 20})
    env = {
        "AZURE_KEY_VAULT_NAME": "kv-x",
        "MAYTAPI_PRODUCT_ID": "p",
        "MAYTAPI_PHONE_ID": "12",
        "ALERT_EMAIL": "ops@example.com",
        "MAYT_API_TOKEN": "tok-from-env",
        "SQL_CLIENT_IP": "203.0.113.7",
    }
    proc = _run("preprovision.sh", env, bin_dir)
    assert proc.returncode == 0, proc.stderr
    sets = dict(line.split()[2:4] for line in log.read_text().splitlines())
    assert sets["MAYT_API_TOKEN"] == "tok-from-env"
    assert sets["WEBHOOK_SECRET"] == "from-the-vault-" + "v" * 20
    assert len(sets["AUTH_SECRET"]) == 64 and int(sets["AUTH_SECRET"], 16) >= 0  # 256 random bits, hex


def test_preprovision_stops_without_the_maytapi_token(tmp_path: Path) -> None:
    bin_dir, _log = _fake_bin(tmp_path, {})
    env = {"MAYTAPI_PRODUCT_ID": "p", "MAYTAPI_PHONE_ID": "12", "ALERT_EMAIL": "ops@example.com"}
    proc = _run("preprovision.sh", env, bin_dir)
    assert proc.returncode == 1
    assert "azd env set MAYT_API_TOKEN" in proc.stderr


def test_preprovision_names_each_missing_setting(tmp_path: Path) -> None:
    bin_dir, _ = _fake_bin(tmp_path, {})
    proc = _run("preprovision.sh", {"MAYTAPI_PRODUCT_ID": "p", "MAYTAPI_PHONE_ID": "12"}, bin_dir)
    assert proc.returncode == 1 and "ALERT_EMAIL" in proc.stderr


@pytest.mark.parametrize("script", sorted(p.name for p in SCRIPTS.glob("*.sh")))
def test_shell_scripts_parse(script: str) -> None:
    assert subprocess.run(["sh", "-n", str(SCRIPTS / script)], capture_output=True).returncode == 0
