"""The embedded default keeps every acknowledged message: `kill -9` of `serve` in the middle of a burst, a restart,
and every message that got a 200 is applied exactly once (none lost, none twice), without waiting for the
30-minute stranded-message sweep.

Real processes, the real queue trigger, parser and handlers, the default settings (no QUEUE_BACKEND, the default
2 s ordering window), SQLite in a temporary directory; the test only reads the database.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SECRET = "kill9-secret"
PRIYA = "919800000001"  # the demo team's leader
BURST = 80
KILL_AFTER = 25  # acknowledged messages before the host is killed


def _env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OPENAI", "AZURE_OPENAI", "MAYT", "AzureWeb", "AZUREWEB"))
        and k not in {"QUEUE_BACKEND", "ORDERING_WINDOW_SECONDS", "DATABASE_URL", "CHANNEL"}
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'crm.db'}",
        WEBHOOK_SECRET=SECRET,
        AUTH_SECRET="kill9-auth-secret-0123456789abcdef0123456789",
        CHANNEL="console",
        DIGEST_ENABLED="false",
        PYTHONPATH=str(ROOT),
    )
    return env


class Serve:
    """`python -m crm_core serve --port 0` with its stdout pumped (the console channel prints there)."""

    def __init__(self, tmp_path: Path, run: int) -> None:
        self.log = open(tmp_path / f"serve-{run}.log", "wb")  # noqa: SIM115  (closed in stop())
        self.proc = subprocess.Popen(
            [sys.executable, "-u", "-m", "crm_core", "serve", "--port", "0"],
            cwd=tmp_path,
            env=_env(tmp_path),
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        self.out = ""
        self._changed = threading.Condition()
        threading.Thread(target=self._pump, daemon=True).start()
        self.url = self._wait_for_url()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._changed:
                self.out += line
                self._changed.notify_all()

    def _wait_for_url(self) -> str:
        with self._changed:
            found = self._changed.wait_for(lambda: re.search(r"running on (http://127\.0\.0\.1:\d+)", self.out), 90)
        assert found, f"serve did not start; stdout:\n{self.out}"
        return found.group(1)

    def kill9(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.log.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def _post(url: str, message_id: str, body: str, session: requests.Session) -> int:
    payload = {
        "type": "message",
        "message": {"id": message_id, "type": "text", "text": body, "fromMe": False},
        "user": {"id": f"{PRIYA}@c.us", "name": "Priya", "phone": PRIYA},
        "conversation": f"{PRIYA}@c.us",
        "timestamp": int(time.time()),
    }
    return session.post(f"{url}/api/webhook", params={"secret": SECRET}, json=payload, timeout=10).status_code


def _wait(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def test_kill_9_mid_burst_loses_no_acknowledged_message_and_applies_none_twice(tmp_path: Path) -> None:
    seeded = subprocess.run(
        [sys.executable, "-m", "crm_core", "demo", "seed"],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert seeded.returncode == 0, seeded.stderr
    engine = create_engine(f"sqlite:///{tmp_path / 'crm.db'}")

    def scalar(sql: str, **params) -> int:
        with engine.connect() as conn:
            return int(conn.execute(text(sql), params).scalar() or 0)

    first = Serve(tmp_path, 1)
    try:
        with requests.Session() as s:
            assert (
                _post(first.url, "lead-1", "New lead: Sharma Traders, Rakesh Sharma, 9876543210, IndiaMART", s) == 200
            )
        _wait(lambda: scalar("SELECT count(*) FROM leads WHERE company = 'Sharma Traders'") == 1, 60, "the lead")

        acked: list[str] = []
        lock = threading.Lock()
        killed = threading.Event()

        def send(n: int) -> None:
            if killed.is_set():
                return
            message_id = f"burst-{n:03d}"
            try:
                with requests.Session() as s:
                    status = _post(first.url, message_id, f"Add note for Sharma Traders: burst #{n:03d} done", s)
            except requests.RequestException:
                return  # the host is gone: not acknowledged
            if status == 200:
                with lock:
                    acked.append(message_id)
                    if len(acked) >= KILL_AFTER and not killed.is_set():
                        killed.set()
                        first.kill9()

        with ThreadPoolExecutor(4) as pool:
            list(pool.map(send, range(BURST)))
        assert killed.is_set() and len(acked) >= KILL_AFTER
    finally:
        first.stop()

    applied_before_restart = scalar(
        "SELECT count(*) FROM inbound_messages WHERE provider_message_id LIKE 'burst-%' AND status = 'done'"
    )
    assert applied_before_restart < len(acked), "the kill came too late: everything was applied already"
    second = Serve(tmp_path, 2)
    try:

        def applied() -> set[str]:
            with engine.connect() as conn:
                rows = conn.execute(
                    text("SELECT provider_message_id FROM inbound_messages WHERE status = 'done'")
                ).all()
            return {mid for (mid,) in rows}

        # Well within the 30-minute stranded-message sweep: the restart takes them up at once.
        try:
            _wait(lambda: set(acked) <= applied(), 60, "the acknowledged messages to be applied after the restart")
        except AssertionError:
            lost = sorted(set(acked) - applied())
            raise AssertionError(f"{len(lost)} of {len(acked)} acknowledged messages never applied: {lost}") from None
        time.sleep(1.0)  # anything still running would show up as a second application now
        with engine.connect() as conn:
            inbound = Counter(
                mid
                for (mid,) in conn.execute(
                    text("SELECT provider_message_id FROM inbound_messages WHERE provider_message_id LIKE 'burst-%'")
                )
            )
            notes = Counter(
                m.group(1)
                for (body,) in conn.execute(text("SELECT text FROM activities"))
                if (m := re.search(r"burst #(\d{3}) done", body))
            )
    finally:
        second.stop()
    lost = [m for m in acked if notes[m.removeprefix("burst-")] == 0]
    assert lost == [], f"{len(lost)} of {len(acked)} acknowledged messages were lost: {lost}"
    assert all(inbound[m] == 1 for m in acked), inbound
    twice = {n: c for n, c in notes.items() if c > 1}
    assert twice == {}, f"applied more than once: {twice}"
