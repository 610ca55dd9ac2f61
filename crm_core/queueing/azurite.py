"""Azurite's queue service for development, tests and benchmarks: start on a port, wait until it listens, stop.

Azurite comes from npm (`package.json`; `make azurite`). Nothing on the Functions trigger path imports this.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class AzuriteUnavailable(RuntimeError):
    """Azurite is not installed, or did not start listening."""


def azurite_binary(root: Path = PROJECT_ROOT) -> str | None:
    """The azurite-queue executable: the project's node_modules first, then PATH."""
    local = root / "node_modules" / ".bin" / "azurite-queue"
    if local.exists():
        return str(local)
    return shutil.which("azurite-queue")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def run_azurite_queue(
    location: Path, *, exe: str | None = None, log: IO[bytes] | None = None, timeout: float = 30.0
) -> Iterator[int]:
    """Run azurite-queue on a free port with its data in `location`; yield the port; stop it afterwards."""
    exe = exe or azurite_binary()
    if exe is None:
        raise AzuriteUnavailable("Azurite is not installed (run `npm install` or `make azurite`)")
    port = free_port()
    out = log if log is not None else subprocess.DEVNULL
    proc = subprocess.Popen(  # noqa: S603  (a fixed executable and arguments)
        [exe, "--silent", "--skipApiVersionCheck", "--location", str(location), "--queuePort", str(port)],
        stdout=out,
        stderr=subprocess.STDOUT if log is not None else subprocess.DEVNULL,
    )
    try:
        _wait_listening(port, proc, timeout)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_listening(port: int, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise AzuriteUnavailable(f"Azurite exited at start with code {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise AzuriteUnavailable(f"Azurite did not start listening within {timeout:.0f} s") from None
            time.sleep(0.05)
