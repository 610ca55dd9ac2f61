"""pytest plugin: a session-wide Azurite queue service on a free port (`azurite` fixture).

Azurite comes from `npm install` (package.json; `make test` runs it). Missing: the tests that need it are
skipped, except in CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import pytest

from crm_core.queueing.azure_storage import development_connection_string
from crm_core.queueing.azurite import AzuriteUnavailable, run_azurite_queue


@dataclass(frozen=True)
class Azurite:
    """A running Azurite queue service."""

    port: int
    connection_string: str


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"Azurite is required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Azurite]:
    """Start azurite-queue for the session; yield its port and connection string; stop it at the end."""
    location = tmp_path_factory.mktemp("azurite")
    with ExitStack() as stack:
        log = stack.enter_context((location / "azurite.log").open("wb"))
        try:
            port = stack.enter_context(run_azurite_queue(location, log=log))
        except AzuriteUnavailable as exc:
            _unavailable(str(exc))
            raise AssertionError("unreachable") from exc
        yield Azurite(port=port, connection_string=development_connection_string(port=port))
