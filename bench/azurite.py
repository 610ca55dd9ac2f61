"""Azurite's queue service for the bench: started on a free port in a scratch directory, stopped afterwards."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

from bench.common import REPO

AZURITE = REPO / "node_modules" / ".bin" / "azurite-queue"
# Azurite's published development account (not a secret: the same on every machine).
DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


def connection_string(port: int) -> str:
    """The devstoreaccount1 connection string for a queue service on 127.0.0.1:port."""
    return (
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
        f"AccountKey={DEV_KEY};QueueEndpoint=http://127.0.0.1:{port}/devstoreaccount1;"
    )


def unavailable_reason() -> str | None:
    """Why Azurite cannot be started here (None when it can)."""
    if not AZURITE.exists():
        return f"{AZURITE.relative_to(REPO)} not installed (run `make azurite`)"
    if shutil.which("node") is None:
        return "node is not installed"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_listening(port: int, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"azurite-queue exited with code {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"azurite-queue did not listen on port {port} within {timeout:.0f} s")


@contextmanager
def azurite_queue() -> Iterator[str]:
    """Run azurite-queue; yields its connection string."""
    location = tempfile.mkdtemp(prefix="crm-bench-azurite-")
    port = _free_port()
    proc = subprocess.Popen(
        [str(AZURITE), "--silent", "--skipApiVersionCheck", "--location", location, "--queuePort", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_listening(port, proc)
        yield connection_string(port)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(location, ignore_errors=True)
