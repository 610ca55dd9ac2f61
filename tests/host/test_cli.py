"""`serve`, `chat` and `demo seed` from the command line."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from crm_core.cli import main
from crm_core.cli.chat import PrintingChannel
from crm_core.cli.serve import how_to_talk
from crm_core.ports import OutgoingMessage

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable


def cli_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "AZURE_OPENAI", "MAYT", "AzureWeb"))}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'crm.db'}",
        WEBHOOK_SECRET="cli-secret",
        AUTH_SECRET="cli-auth-secret-0123456789abcdef0123456789",
        CHANNEL="console",
        QUEUE_BACKEND="memory",
        ORDERING_WINDOW_SECONDS="0",
        PYTHONPATH=str(ROOT),
        **extra,
    )
    return env


def run_cli(tmp_path: Path, *args: str, stdin: str = "", timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PY, "-m", "crm_core", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=cli_env(tmp_path),
        timeout=timeout,
    )


def test_printing_channel_shows_own_replies_and_messages_to_others() -> None:
    out = io.StringIO()
    ch = PrintingChannel("+919800000001", {"+919800000002": "Amit"}, out)
    ch.send(OutgoingMessage(to="+919800000001", text="Done ✅\nsecond line"))
    ch.send(
        OutgoingMessage(
            to="+919800000002",
            text="📌 New lead",
            attachment_url="https://x.example/b.pdf",
            attachment_filename="brochure.pdf",
        )
    )
    ch.send(OutgoingMessage(to="+919811111111", text="hi"))
    assert out.getvalue().splitlines() == [
        "bot> Done ✅",
        "     second line",
        "→ Amit (+91 98000 00002): 📌 New lead",
        "     [attachment: brochure.pdf <https://x.example/b.pdf>]",
        "→ +91 98111 11111: hi",
    ]


def test_the_banner_has_a_working_curl_and_the_chat_command() -> None:
    text = how_to_talk("http://127.0.0.1:7071", "s3cret", "919800000001", "priya", "prod-1", "77")
    assert "curl -s -X POST 'http://127.0.0.1:7071/api/webhook?secret=s3cret'" in text
    assert '"product_id": "prod-1"' in text and '"phone_id": 77' in text
    assert '"phone": "919800000001"' in text
    assert "python -m crm_core chat --as priya" in text


def test_demo_seed_loads_a_marked_team_once(tmp_path) -> None:
    first = run_cli(tmp_path, "demo", "seed", "--if-empty")
    assert first.returncode == 0, first.stderr
    assert 'Demo team "demo"' in first.stdout
    for username in ("admin", "priya", "amit", "neha", "rahul", "vikram", "sunita"):
        assert re.search(rf"created \w+\s+{username}\s", first.stdout), username
    assert "default Message Master sequence (3 steps)" in first.stdout
    assert "password for every demo user:" in first.stdout
    again = run_cli(tmp_path, "demo", "seed", "--if-empty")
    assert again.returncode == 0 and "already has users; demo seed skipped" in again.stdout
    forced = run_cli(tmp_path, "demo", "seed")
    assert forced.returncode == 0 and "skipped priya: already exists" in forced.stdout
    listed = run_cli(tmp_path, "users", "list")
    assert listed.stdout.count("(demo)") == 7


def test_demo_seed_in_process(db, settings) -> None:
    from sqlalchemy import select

    from crm_core.cli.demo import seed_demo
    from crm_core.db.models import User

    with db.transaction() as s:
        lines = seed_demo(s, settings.default_region)
        users = s.scalars(select(User)).all()
        assert len(users) == 7 and all("(demo)" in u.name and u.team == "demo" for u in users)
        priya = next(u for u in users if u.username == "priya")
        assert all(u.leader_id == priya.id for u in users if u.role == "member")
        assert len({u.phone for u in users}) == 7 and all(u.phone.startswith("+91") for u in users)
    assert lines[-1].startswith("created the default Message Master sequence")
    with db.transaction() as s:
        assert seed_demo(s, if_empty=True) == []


def test_chat_with_an_unknown_user_is_a_clear_error(tmp_path) -> None:
    run_cli(tmp_path, "demo", "seed")
    result = run_cli(tmp_path, "chat", "--as", "nobody")
    assert result.returncode == 2
    assert result.stderr.strip() == "error: no user 'nobody'; see `python -m crm_core users list` (or `demo seed`)"
    assert "Traceback" not in result.stderr


def test_serve_on_a_busy_port_is_a_clear_error(tmp_path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        result = run_cli(tmp_path, "serve", "--port", str(port), timeout=60)
    assert result.returncode == 2
    assert "cannot listen on 127.0.0.1:" in result.stderr and "Traceback" not in result.stderr


def test_main_parses_the_new_subcommands() -> None:
    with pytest.raises(SystemExit):
        main(["chat"])  # --as is required
    with pytest.raises(SystemExit):
        main(["demo"])  # an action is required


@pytest.mark.e2e
def test_chat_through_a_pipe_answers_help_and_notifies_others(tmp_path) -> None:
    assert run_cli(tmp_path, "demo", "seed").returncode == 0
    lines = "help\nNew lead: Sharma Traders, Rakesh Sharma, 9876543210, IndiaMART, assign to Amit\n"
    result = run_cli(tmp_path, "chat", "--as", "priya", stdin=lines, timeout=180)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "priya> help" in out
    assert out.count("bot>") >= 2
    assert re.search(r"→ Amit Verma \(demo\) \(\+91 98000 00002\): .*Sharma Traders", out)
    # each line is answered before the next is read
    assert out.index("priya> New lead") > out.index("bot>")


class Output:
    """Collects a subprocess's stdout in a thread; `wait_for(pattern)` returns everything seen once it matches."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.text = ""
        self.changed = threading.Condition()
        self.thread = threading.Thread(target=self._pump, args=(proc,), daemon=True)
        self.thread.start()

    def _pump(self, proc: subprocess.Popen) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            with self.changed:
                self.text += line
                self.changed.notify_all()

    def wait_for(self, pattern: str, timeout: float) -> str:
        with self.changed:
            if not self.changed.wait_for(lambda: re.search(pattern, self.text), timeout):
                raise AssertionError(f"{pattern!r} did not appear; output so far:\n{self.text}")
            return self.text


@pytest.mark.e2e
def test_serve_answers_help_over_the_webhook_and_stops_on_sigterm(tmp_path) -> None:
    assert run_cli(tmp_path, "demo", "seed").returncode == 0
    proc = subprocess.Popen(
        [PY, "-u", "-m", "crm_core", "serve", "--port", "0"],
        cwd=tmp_path,
        env=cli_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        out = Output(proc)
        banner = out.wait_for(r"chat --as \w+", 60)
        url = re.search(r"running on (http://127\.0\.0\.1:\d+)", banner).group(1)
        assert f"curl -s -X POST '{url}/api/webhook?secret=cli-secret'" in banner
        body = {
            "type": "message",
            "message": {"id": "serve-help-1", "type": "text", "text": "help", "fromMe": False},
            "user": {"id": "919800000001@c.us", "name": "Priya", "phone": "919800000001"},
            "conversation": "919800000001@c.us",
            "timestamp": int(time.time()),
        }
        r = requests.post(f"{url}/api/webhook", params={"secret": "cli-secret"}, json=body, timeout=10)
        assert r.status_code == 200, r.text
        reply = out.wait_for(r"WhatsApp → \+919800000001[\s\S]*lead", 60)
        assert "lead" in reply.lower()
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=30)
    assert code == 0
