"""Tiny FunctionApps built for the host tests (nothing from the project's own routes)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import azure.functions as func


def echo(req: func.HttpRequest) -> func.HttpResponse:
    """Answer with everything the function saw."""
    payload = {
        "method": req.method,
        "url": req.url,
        "route_params": dict(req.route_params),
        "params": dict(req.params),
        "body": req.get_body().decode("utf-8"),
        "x_test": req.headers.get("x-test"),
    }
    return func.HttpResponse(
        json.dumps(payload, ensure_ascii=False),
        status_code=201 if req.method == "POST" else 200,
        mimetype="application/json",
        headers={"X-Function": "echo"},
    )


def http_app(extra: Callable[[func.FunctionApp], None] | None = None) -> func.FunctionApp:
    """Routes with parameters, a literal route that must win, OPTIONS handled by the function, and a crash."""
    app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

    @app.route(route="items/{item_id}", methods=["GET", "POST"])
    def item(req: func.HttpRequest) -> func.HttpResponse:
        return echo(req)

    @app.route(route="items/special", methods=["GET"])
    def special(req: func.HttpRequest) -> func.HttpResponse:
        return func.HttpResponse("special", mimetype="text/plain")

    @app.route(route="users/{username}/leads/{lead_id}", methods=["GET"])
    def nested(req: func.HttpRequest) -> func.HttpResponse:
        return echo(req)

    @app.route(route="own-options", methods=["GET", "OPTIONS"])
    def own_options(req: func.HttpRequest) -> func.HttpResponse:
        return func.HttpResponse(status_code=299 if req.method == "OPTIONS" else 200)

    @app.route(route="boom", methods=["GET"])
    def boom(req: func.HttpRequest) -> func.HttpResponse:
        raise RuntimeError("secret internals")

    @app.route(route="empty", methods=["DELETE"])
    def empty(req: func.HttpRequest) -> func.HttpResponse:
        return func.HttpResponse(status_code=204)

    if extra:
        extra(app)
    return app


@dataclass
class QueueProbe:
    """Records queue and timer invocations; fails a message body's first `fail_times[body]` attempts."""

    fail_times: dict[str, int] = field(default_factory=dict)
    calls: list[tuple[str, int]] = field(default_factory=list)
    poison: list[str] = field(default_factory=list)
    timer_calls: list[bool] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def record(self, kind: str, value: object) -> None:
        with self.changed:
            if kind == "queue":
                self.calls.append(value)  # type: ignore[arg-type]
            elif kind == "poison":
                self.poison.append(value)  # type: ignore[arg-type]
            else:
                self.timer_calls.append(value)  # type: ignore[arg-type]
            self.changed.notify_all()

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 30.0) -> bool:
        with self.changed:
            return self.changed.wait_for(predicate, timeout)


def queue_app(probe: QueueProbe, queue_setting: str = "%LH_QUEUE%", schedule: str | None = None) -> func.FunctionApp:
    """A queue trigger (with its poison trigger) and optionally a timer, reporting to probe."""
    app = func.FunctionApp()

    @app.queue_trigger(arg_name="msg", queue_name=queue_setting, connection="AzureWebJobsStorage")
    def work(msg: func.QueueMessage) -> None:
        body = msg.get_body().decode("utf-8")
        probe.record("queue", (body, msg.dequeue_count))
        with probe.lock:
            left = probe.fail_times.get(body, 0)
            if left:
                probe.fail_times[body] = left - 1
                raise RuntimeError(f"failing {body}")

    @app.queue_trigger(arg_name="msg", queue_name=f"{queue_setting}-poison", connection="AzureWebJobsStorage")
    def poisoned(msg: func.QueueMessage) -> None:
        probe.record("poison", msg.get_body().decode("utf-8"))

    if schedule:

        @app.timer_trigger(arg_name="timer", schedule=schedule, run_on_startup=False, use_monitor=False)
        def tick(timer: func.TimerRequest) -> None:
            probe.record("timer", timer.past_due)

    return app
