"""Azurite's queue service for the bench: started on a free port in a scratch directory, stopped afterwards."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from crm_core.queueing.azure_storage import development_connection_string
from crm_core.queueing.azurite import azurite_binary, run_azurite_queue


def connection_string(port: int) -> str:
    """The devstoreaccount1 connection string for a queue service on 127.0.0.1:port."""
    return development_connection_string(port=port)


def unavailable_reason() -> str | None:
    """Why Azurite cannot be started here (None when it can)."""
    if azurite_binary() is None:
        return "azurite-queue is not installed (run `make azurite`)"
    if shutil.which("node") is None:
        return "node is not installed"
    return None


@contextmanager
def azurite_queue() -> Iterator[str]:
    """Run azurite-queue; yields its connection string."""
    location = tempfile.mkdtemp(prefix="crm-bench-azurite-")
    try:
        with run_azurite_queue(Path(location)) as port:
            yield connection_string(port)
    finally:
        shutil.rmtree(location, ignore_errors=True)
