"""Property-based contract test: schemathesis generates requests from /api/openapi.json and sends them to a
running local host; no server error and no response breaking the documented schema, in every operation.

Bounded and deterministic: a few examples per operation and generation mode, derandomized Hypothesis.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from crm_core.composition import Container, set_container
from crm_core.db.session import Database
from crm_core.settings import load_settings
from tests.api.conftest import RecordingQueue, seed_world

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
]
EXAMPLES = 6
SEEN: list[tuple[str, str, int]] = []


def _start_host(container: Container) -> tuple[str, object]:
    """The project's LocalHost over a private copy of the app, HTTP only (no sweeps, no queue); (base_url, host)."""
    from crm_core.localhost import LocalHost
    from tests.api.client import private_app

    host = LocalHost(private_app(), host="127.0.0.1", port=0, container=container, queues=False, timers=False)
    return host.start(), host


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[tuple[Container, str, Callable[[], dict[str, str]]]]:
    from crm_core.clock import SystemClock
    from crm_core.db.migrate import upgrade

    path = tmp_path_factory.mktemp("st") / "crm.db"
    s = load_settings(
        DATABASE_URL=f"sqlite:///{path}",
        AUTH_SECRET="schemathesis-secret-0123456789abcdef0123",
        WEBHOOK_SECRET="w" * 20,
        CHANNEL="console",
        QUEUE_BACKEND="memory",
    )
    db = Database(s.database_url)
    upgrade(db.engine)
    container = Container(s, database=db, clock=SystemClock(), queue=RecordingQueue())
    set_container(container)
    world = seed_world(container)
    base_url, host = _start_host(container)
    # A token per request, as the database has the admin now: POST /logout revokes every earlier one.
    yield container, base_url, lambda: {"Authorization": f"Bearer {world.fresh_token('admin')}"}
    host.stop()  # type: ignore[attr-defined]
    db.dispose()


def _operations(base_url: str):
    config = schemathesis.Config.from_str(
        """
[checks.negative_data_rejection]
expected-statuses = [400, 401, 403, 404, 409, 413, 422, 429]
"""
    )
    schema = schemathesis.openapi.from_url(f"{base_url}/api/openapi.json", config=config)
    return [r.ok() for r in schema.get_all_operations()]


def test_every_operation_conforms_to_the_openapi_document(live) -> None:
    container, base_url, auth = live
    set_container(container)  # the shared autouse fixture resets it before each test
    operations = _operations(base_url)
    labels = {op.label for op in operations}
    from crm_core.api.app import api_routes

    assert labels == {f"{m} {r.path}" for r in api_routes() for m in r.methods}
    failures: list[str] = []
    SEEN.clear()
    for operation in operations:
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            try:
                _fuzz(operation, mode, base_url, auth)
            except Exception as exc:
                failures.append(f"{operation.label} [{mode.value}]: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)
    assert {label for label, mode, status in SEEN if mode == "positive" and 200 <= status < 300} >= {
        "GET /users/me",
        "GET /pipeline",
        "GET /outbox/dead",
        "GET /app/messages",
    }
    answered = {label for label, mode, status in SEEN if mode == "positive" and status != 401}
    assert answered == labels, "every operation must get past authentication with the generated requests"


def _fuzz(operation, mode, base_url: str, auth: Callable[[], dict[str, str]]) -> None:
    """Send EXAMPLES generated requests for one operation and mode, validating every response."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:
        # A negative case may have mutated the Authorization header on purpose: then send it as generated.
        mutated = case.meta is not None and case.meta.is_negative_at(ParameterLocation.HEADER)
        headers = {} if mutated else auth()
        response = case.call(base_url=f"{base_url}/api", headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)
        SEEN.append((operation.label, mode.value, response.status_code))

    run()
