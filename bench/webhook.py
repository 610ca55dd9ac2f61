"""Webhook ack: the real webhook (in-process queue, the durable database queue, Azurite) against the seed's inline
design; requests/s via HTTP."""

from __future__ import annotations

import contextlib
import importlib
import itertools
import json
import threading
import time
from collections.abc import Callable
from typing import Any

from bench.common import (
    NOW,
    REPO,
    WEBHOOK_SECRET,
    Run,
    Target,
    bench_settings,
    figure,
    median,
    not_measured,
    percentile,
    sqlite_database,
    timed_ms,
)
from bench.fakes import CountingChannel, SlowGpt
from bench.seed import SENDER, TEAM, create_team

SECTION = "webhook"
SPEED_UP = Target(">=", 100, "≥ 100× faster")
P99 = Target("<=", 15, "≤ 15 ms")
PRODUCT_ID = "dc01968f-0000-0000-0000-7cfcf51aa423"
PHONE_ID = "12"
TEXTS = (
    "Schedule meeting with Kaveri Steels Pvt Ltd tomorrow 11am",
    "New lead: Narmada Foods LLP, Ravi Kumar, 9876501234, IndiaMART, Priya",
    "Meeting done for Kaveri Steels Pvt Ltd. They were very interested.",
    "my tasks today",
)
_ids = itertools.count(1)


def payload(text: str, phone: str) -> bytes:
    """A Maytapi text-message event from phone (E.164), with a fresh message id."""
    digits = phone.lstrip("+")
    body = {
        "product_id": PRODUCT_ID,
        "phone_id": int(PHONE_ID),
        "message": {"id": f"3EB0BENCH{next(_ids):012d}", "type": "text", "text": text, "fromMe": False},
        "user": {"id": f"{digits}@c.us", "name": "Priya Sharma", "phone": digits},
        "conversation": f"{digits}@c.us",
        "receiver": "919800099999",
        "timestamp": int(NOW.timestamp()),
        "type": "message",
    }
    return json.dumps(body).encode("utf-8")


def webhook_request(text: str, phone: str) -> Any:
    """A POST /api/webhook request as the Functions host hands it to the function."""
    import azure.functions as func

    return func.HttpRequest(
        method="POST",
        url=f"http://localhost/api/webhook?secret={WEBHOOK_SECRET}",
        headers={"content-type": "application/json"},
        params={"secret": WEBHOOK_SECRET},
        body=payload(text, phone),
    )


def _sender_phone() -> str:
    return next(phone for username, _, phone, _ in TEAM if username == SENDER)


def _ack_samples(n: int, phone: str) -> tuple[list[float], set[int]]:
    """Time n webhook calls (request building excluded); the durations and the status codes seen."""
    from crm_core.pipeline.webhook import handle_webhook

    requests = [webhook_request(TEXTS[i % len(TEXTS)], phone) for i in range(n + 20)]
    for req in requests[:20]:  # warm-up
        handle_webhook(req)
    statuses: set[int] = set()
    it = iter(requests[20:])

    def call() -> None:
        statuses.add(handle_webhook(next(it)).status_code)

    return timed_ms(call, n), statuses


def _memory_queue(settings: Any) -> tuple[Any, str]:
    """The app's in-memory inbound queue, emptied (nothing consumes it unless the local host runs)."""
    from crm_core.queueing import build_inbound_queue, reset_memory_queues

    reset_memory_queues()
    return build_inbound_queue(settings), "the app's in-memory queue"


class InlineQueue:
    """The seed's design: the webhook's 'enqueue' parses (GPT) and handles the message before answering."""

    def send(self, body: str, *, delay_seconds: int = 0) -> None:
        """Process the message now, in the request."""
        from crm_core.pipeline.process import process_queue_message

        process_queue_message(body, 1)


def _in_process(run: Run, db: Any) -> float:
    from crm_core.clock import FixedClock
    from crm_core.composition import Container, set_container

    settings = bench_settings(
        db.engine.url.render_as_string(hide_password=False), MAYTAPI_PRODUCT_ID=PRODUCT_ID, MAYTAPI_PHONE_ID=PHONE_ID
    )
    queue, what = _memory_queue(settings)
    set_container(Container(settings, database=db, clock=FixedClock(NOW), whatsapp=CountingChannel(), queue=queue))
    samples, statuses = _ack_samples(run.sizes.ack_calls, _sender_phone())
    note = f"{len(samples)} calls into {what}; HTTP {sorted(statuses)}"
    med = median(samples)
    run.add(
        figure(SECTION, "webhook ack in-process median", round(med, 3), "ms", note=note),
        figure(SECTION, "webhook ack in-process p99", round(percentile(samples, 99), 3), "ms", P99, note),
    )
    return med


def _baseline(run: Run, db: Any, ack_median: float) -> None:
    from crm_core.clock import FixedClock
    from crm_core.composition import Container, set_container
    from crm_core.parsing.rules import RuleParser
    from crm_core.pipeline.webhook import handle_webhook

    seconds = run.sizes.baseline_gpt_seconds
    settings = bench_settings(
        db.engine.url.render_as_string(hide_password=False), MAYTAPI_PRODUCT_ID=PRODUCT_ID, MAYTAPI_PHONE_ID=PHONE_ID
    )
    gpt = SlowGpt(RuleParser(region=settings.default_region), seconds)
    container = Container(
        settings, database=db, clock=FixedClock(NOW), whatsapp=CountingChannel(), queue=InlineQueue(), parser=gpt
    )
    set_container(container)
    phone = _sender_phone()
    requests = [webhook_request(TEXTS[i % len(TEXTS)], phone) for i in range(run.sizes.baseline_calls)]
    it = iter(requests)
    statuses: set[int] = set()

    def call() -> None:
        statuses.add(handle_webhook(next(it)).status_code)

    samples = timed_ms(call, len(requests))
    base = median(samples)
    note = (
        f"{len(samples)} calls, GPT stand-in {seconds:g} s per message, parse + handle + send in the request; "
        f"HTTP {sorted(statuses)}; {gpt.calls} GPT calls"
    )
    run.add(
        figure(SECTION, "baseline (inline, seed design) median", round(base, 1), "ms", note=note),
        figure(
            SECTION,
            "ack speed-up over the baseline",
            round(base / ack_median, 0) if ack_median else None,
            "×",
            SPEED_UP,
            "ratio of medians: baseline ÷ in-process ack",
        ),
    )


def _database_queue(run: Run, db: Any) -> None:
    """The embedded default: the envelope is committed to the queue table (SQLite, synchronous=FULL) before the 200."""
    from crm_core.clock import FixedClock
    from crm_core.composition import Container, set_container
    from crm_core.queueing import build_inbound_queue

    settings = bench_settings(
        db.engine.url.render_as_string(hide_password=False),
        QUEUE_BACKEND="database",
        MAYTAPI_PRODUCT_ID=PRODUCT_ID,
        MAYTAPI_PHONE_ID=PHONE_ID,
    )
    queue = build_inbound_queue(settings)
    set_container(Container(settings, database=db, clock=FixedClock(NOW), whatsapp=CountingChannel(), queue=queue))
    samples, statuses = _ack_samples(run.sizes.ack_calls, _sender_phone())
    note = f"{len(samples)} calls, each committed (fsync) to the queue table; HTTP {sorted(statuses)}"
    run.add(
        figure(SECTION, "webhook ack to the durable database queue median", round(median(samples), 3), "ms", note=note),
        figure(
            SECTION,
            "webhook ack to the durable database queue p99",
            round(percentile(samples, 99), 3),
            "ms",
            P99,
            note,
        ),
    )


def _azurite(run: Run, db: Any) -> None:
    from bench.azurite import azurite_queue, unavailable_reason

    name = "webhook ack to Azurite median"
    reason = None if run.sizes.azurite else "disabled"
    reason = reason or unavailable_reason()
    if reason:
        run.add(not_measured(SECTION, name, reason))
        return
    try:
        queueing = importlib.import_module("crm_core.queueing")
    except ModuleNotFoundError:
        run.add(not_measured(SECTION, name, "crm_core.queueing (the Azure queue adapter) is not available"))
        return
    from azure.core.exceptions import ResourceExistsError
    from azure.storage.queue import QueueClient

    from crm_core.clock import FixedClock
    from crm_core.composition import Container, set_container

    with azurite_queue() as conn:
        settings = bench_settings(
            db.engine.url.render_as_string(hide_password=False),
            QUEUE_BACKEND="azure",
            AzureWebJobsStorage=conn,
            MAYTAPI_PRODUCT_ID=PRODUCT_ID,
            MAYTAPI_PHONE_ID=PHONE_ID,
        )
        client = QueueClient.from_connection_string(conn, settings.inbound_queue)
        with contextlib.suppress(ResourceExistsError):  # the adapter may create it itself
            client.create_queue()
        queue = queueing.build_inbound_queue(settings)
        set_container(Container(settings, database=db, clock=FixedClock(NOW), whatsapp=CountingChannel(), queue=queue))
        samples, statuses = _ack_samples(run.sizes.azurite_calls, _sender_phone())
        queued = client.get_queue_properties().approximate_message_count
        client.close()
    note = f"{len(samples)} calls; HTTP {sorted(statuses)}; {queued} messages in the queue afterwards"
    run.add(
        figure(SECTION, name, round(median(samples), 2), "ms", note=note),
        figure(SECTION, "webhook ack to Azurite p99", round(percentile(samples, 99), 2), "ms", note=note),
    )


def _http_rps(run: Run, db: Any, *, queues: bool = True) -> None:
    """Requests/s of POST /api/webhook through the local host, with concurrent keep-alive clients."""
    import http.client
    from urllib.parse import urlsplit

    from crm_core.clock import FixedClock
    from crm_core.composition import Container

    name = "webhook requests/s through the local host" + ("" if queues else ", queue runner off")
    try:
        local_host_class: Any = importlib.import_module("crm_core.localhost").LocalHost
    except (ModuleNotFoundError, AttributeError):
        run.add(not_measured(SECTION, name, "crm_core.localhost.LocalHost is not available"))
        return
    import function_app

    settings = bench_settings(
        db.engine.url.render_as_string(hide_password=False), MAYTAPI_PRODUCT_ID=PRODUCT_ID, MAYTAPI_PHONE_ID=PHONE_ID
    )
    queue, what = _memory_queue(settings)
    container = Container(settings, database=db, clock=FixedClock(NOW), whatsapp=CountingChannel(), queue=queue)
    host = local_host_class(
        function_app.app,
        "127.0.0.1",
        port=0,
        container=container,
        host_json=REPO / "host.json",
        local_settings=None,
        dotenv=None,
        load_settings_files=False,
        timers=False,
        queues=queues,
    )
    base_url = host.start()
    try:
        parts = urlsplit(base_url)
        total, clients = run.sizes.rps_requests, run.sizes.rps_clients
        per_client = max(1, total // clients)
        phone = _sender_phone()
        bodies = [[payload(TEXTS[i % len(TEXTS)], phone) for i in range(per_client)] for _ in range(clients)]
        statuses: list[int] = []
        path = f"/api/webhook?secret={WEBHOOK_SECRET}"
        lock = threading.Lock()
        barrier = threading.Barrier(clients + 1)

        def client(mine: list[bytes]) -> None:
            conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
            conn.request("POST", path, body=b"{}")  # warm the connection
            conn.getresponse().read()
            got: list[int] = []
            barrier.wait()
            for body in mine:
                conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
                resp = conn.getresponse()
                resp.read()
                got.append(resp.status)
            conn.close()
            with lock:
                statuses.extend(got)

        threads = [threading.Thread(target=client, args=(b,), daemon=True) for b in bodies]
        for t in threads:
            t.start()
        barrier.wait()
        start = time.perf_counter()
        for t in threads:
            t.join(timeout=300)
        seconds = time.perf_counter() - start
    finally:
        host.stop()
        from crm_core.queueing import reset_memory_queues

        reset_memory_queues()
    ok = sum(1 for s in statuses if s == 200)
    after = "the host's queue runner processes them meanwhile" if queues else "nothing consumes the queue"
    run.add(
        figure(
            SECTION,
            name,
            round(len(statuses) / seconds),
            "req/s",
            note=f"{clients} keep-alive clients, {len(statuses):,} requests ({ok:,} answered 200) into {what}; {after}",
        )
    )


def _each(run: Run, parts: list[tuple[str, Callable[[], None]]]) -> None:
    for name, fn in parts:
        try:
            fn()
        except Exception as exc:
            run.add(not_measured(SECTION, name, f"{type(exc).__name__}: {exc}"[:300]))


def measure(run: Run) -> None:
    """In-process ack, the inline baseline, Azurite, and HTTP requests/s."""
    importlib.import_module("crm_core.pipeline.webhook")  # fail early, clearly, when the piece is missing
    with sqlite_database(run, "webhook") as db:
        create_team(db)
        ack = _in_process(run, db)
        _each(
            run,
            [
                ("baseline (inline, seed design) median", lambda: _baseline(run, db, ack)),
                ("webhook ack to the durable database queue median", lambda: _database_queue(run, db)),
                ("webhook ack to Azurite median", lambda: _azurite(run, db)),
                ("webhook requests/s through the local host", lambda: _http_rps(run, db)),
                ("webhook requests/s, queue runner off", lambda: _http_rps(run, db, queues=False)),
            ],
        )
