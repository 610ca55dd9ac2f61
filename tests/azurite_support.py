"""pytest plugin: a session-wide Azurite queue service on a free port (`azurite` fixture).

Azurite comes from `npm install` (package.json; `make test` runs it). Missing: the tests that need it are
skipped, except in CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from crm_core.queueing.azure_storage import DEV_ACCOUNT, DEV_KEY

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Azurite:
    """A running Azurite queue service."""

    port: int
    connection_string: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"Azurite is required in CI: {reason}")
    pytest.skip(reason)


def _binary() -> str | None:
    local = ROOT / "node_modules" / ".bin" / "azurite-queue"
    if local.exists():
        return str(local)
    return shutil.which("azurite-queue")


@pytest.fixture(scope="session")
def azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Azurite]:
    """Start azurite-queue for the session; yield its port and connection string; stop it at the end."""
    exe = _binary()
    if exe is None:
        _unavailable("Azurite is not installed (run `npm install` or `make azurite`)")
        raise AssertionError("unreachable")
    port = _free_port()
    location = tmp_path_factory.mktemp("azurite")
    log = (location / "azurite.log").open("wb")
    proc = subprocess.Popen(
        [exe, "--silent", "--skipApiVersionCheck", "--location", str(location), "--queuePort", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                _unavailable(f"Azurite exited at start with code {proc.returncode}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    _unavailable("Azurite did not start listening within 30 s")
                time.sleep(0.05)
        yield Azurite(
            port=port,
            connection_string=(
                f"DefaultEndpointsProtocol=http;AccountName={DEV_ACCOUNT};AccountKey={DEV_KEY};"
                f"QueueEndpoint=http://127.0.0.1:{port}/{DEV_ACCOUNT};"
            ),
        )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
