"""LocalHost end to end on loopback: a real HTTP server, the queue runner with retries and poison, timers."""

from __future__ import annotations

import http.client
import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import azure.functions as func
import pytest
import requests

from crm_core.composition import Container, get_container
from crm_core.localhost import LocalHost
from crm_core.localhost.config import QueueOptions
from crm_core.localhost.index import QueueFunction, TimerFunction
from crm_core.localhost.queue_runner import QueueRunner
from crm_core.localhost.schedule import parse_schedule
from crm_core.localhost.timers import TimerRunner
from crm_core.queueing import InMemoryQueue, memory_queue
from crm_core.settings import load_settings
from tests.host.apps import QueueProbe, http_app, queue_app


def write_host_json(tmp_path: Path, max_dequeue: int = 3) -> Path:
    path = tmp_path / "host.json"
    queues = {
        "maxDequeueCount": max_dequeue,
        "visibilityTimeout": "00:00:30",
        "batchSize": 4,
        "maxPollingInterval": "00:00:01",
    }
    path.write_text(json.dumps({"version": "2.0", "extensions": {"queues": queues}}))
    return path


@pytest.fixture
def queue_name() -> str:
    return f"lh-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def memory_settings(settings, queue_name):
    return settings.model_copy(update={"inbound_queue": queue_name})


def test_serves_the_index_over_real_http_with_keep_alive(settings, tmp_path, caplog) -> None:
    caplog.set_level("INFO", logger="crm_core.localhost")
    host = LocalHost(http_app(), container=Container(settings), host_json=write_host_json(tmp_path), migrate=False)
    url = host.start()
    try:
        parts = urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        conn.request("GET", "/api/items/42?q=x", headers={"X-Test": "1"})
        first = conn.getresponse()
        seen = json.loads(first.read())
        assert first.status == 200 and seen["route_params"] == {"item_id": "42"} and seen["params"] == {"q": "x"}
        conn.request("POST", "/api/items/7", body="नमस्ते".encode(), headers={"Content-Type": "text/plain"})
        second = conn.getresponse()  # same connection: keep-alive
        assert second.status == 201 and json.loads(second.read())["body"] == "नमस्ते"
        conn.request("DELETE", "/api/empty")
        third = conn.getresponse()
        assert third.status == 204 and third.read() == b""
        conn.request("GET", "/api/nowhere")
        fourth = conn.getresponse()
        assert fourth.status == 404 and json.loads(fourth.read())["error"]["code"] == "not_found"
        conn.close()
        assert requests.get(f"{url}/api/boom", timeout=10).status_code == 500
    finally:
        host.stop()
    lines = [r.getMessage() for r in caplog.records if r.name == "crm_core.localhost.http"]
    assert any(line.startswith("GET /api/items/42 200 ") for line in lines)
    assert any(line.startswith("POST /api/items/7 201 ") for line in lines)
    assert any(line.startswith("GET /api/nowhere 404 ") for line in lines)


def test_handles_clients_concurrently(settings, tmp_path) -> None:
    clients = 8
    barrier = threading.Barrier(clients, timeout=20)

    def add(app: func.FunctionApp) -> None:
        @app.route(route="together", methods=["GET"])
        def together(req: func.HttpRequest) -> func.HttpResponse:
            barrier.wait()  # only returns when all clients are inside at once
            return func.HttpResponse("ok")

    with (
        LocalHost(http_app(add), container=Container(settings), migrate=False) as host,
        ThreadPoolExecutor(clients) as pool,
    ):
        statuses = list(
            pool.map(lambda _: requests.get(f"{host.url}/api/together", timeout=30).status_code, range(clients))
        )
    assert statuses == [200] * clients


def test_the_host_sets_and_clears_the_process_container(settings) -> None:
    container = Container(settings)
    with LocalHost(http_app(), container=container, migrate=False, queues=False, timers=False):
        assert get_container() is container
    assert get_container() is not container


def test_queue_messages_run_and_are_deleted(memory_settings, tmp_path, queue_name) -> None:
    probe = QueueProbe()
    app = queue_app(probe, "%INBOUND_QUEUE%")
    with LocalHost(
        app, container=Container(memory_settings), host_json=write_host_json(tmp_path), migrate=False, timers=False
    ) as host:
        for i in range(10):
            memory_queue(queue_name).send(f"m{i}")
        assert probe.wait_for(lambda: len(probe.calls) == 10)
        assert host.drain(30)
    assert sorted(b for b, _ in probe.calls) == [f"m{i}" for i in range(10)]
    assert all(count == 1 for _, count in probe.calls)
    assert memory_queue(queue_name).count() == 0


def test_a_failing_message_is_retried_then_succeeds(memory_settings, tmp_path, queue_name, caplog) -> None:
    caplog.set_level("INFO", logger="crm_core.localhost")
    probe = QueueProbe(fail_times={"flaky": 2})
    app = queue_app(probe, "%INBOUND_QUEUE%")
    with LocalHost(
        app,
        container=Container(memory_settings),
        host_json=write_host_json(tmp_path),
        migrate=False,
        timers=False,
        visibility_timeout=0,
    ) as host:
        memory_queue(queue_name).send("flaky")
        assert probe.wait_for(lambda: len(probe.calls) == 3)
        assert host.drain(30)
    assert probe.calls == [("flaky", 1), ("flaky", 2), ("flaky", 3)]
    assert probe.poison == []
    assert memory_queue(f"{queue_name}-poison").count() == 0
    messages = [r.getMessage() for r in caplog.records if r.name == "crm_core.localhost.queue"]
    assert sum("failed, retry" in m for m in messages) == 2
    assert any("dequeue=3 ok" in m for m in messages)


def test_after_max_dequeue_count_the_message_goes_to_the_poison_queue(memory_settings, tmp_path, queue_name) -> None:
    probe = QueueProbe(fail_times={"bad": 99})
    app = queue_app(probe, "%INBOUND_QUEUE%")
    with LocalHost(
        app,
        container=Container(memory_settings),
        host_json=write_host_json(tmp_path, max_dequeue=3),
        migrate=False,
        timers=False,
        visibility_timeout=0,
    ) as host:
        memory_queue(queue_name).send("bad")
        assert probe.wait_for(lambda: probe.poison == ["bad"])
        assert host.drain(30)
    assert probe.calls == [("bad", 1), ("bad", 2), ("bad", 3)]
    assert memory_queue(queue_name).count() == 0
    assert memory_queue(f"{queue_name}-poison").count() == 0  # the poison trigger consumed it


def test_a_message_already_over_the_limit_is_poisoned_without_running() -> None:
    queue, poison = InMemoryQueue("q"), InMemoryQueue("q-poison")
    calls: list[str] = []
    fn = QueueFunction("f", "q", None, "msg", lambda msg: calls.append(msg.get_body().decode()))
    runner = QueueRunner(fn, queue, poison, QueueOptions(max_dequeue_count=2))
    queue.send("crashed before")
    for _ in range(2):
        queue.release(queue.receive()[0])
    [third] = queue.receive()
    assert runner.handle(third) == "poison"
    assert calls == [] and poison.peek() == ["crashed before"] and queue.count() == 0


def test_the_function_gets_a_real_queue_message(memory_settings) -> None:
    queue, poison = InMemoryQueue("q2"), InMemoryQueue("q2-poison")
    got: list[func.QueueMessage] = []
    runner = QueueRunner(
        QueueFunction("f", "q2", None, "msg", lambda msg: got.append(msg)), queue, poison, QueueOptions()
    )
    queue.send("सूचना")
    [m] = queue.receive()
    assert runner.handle(m) == "ok"
    assert got[0].get_body().decode("utf-8") == "सूचना"
    assert got[0].id == m.id and got[0].dequeue_count == 1 and got[0].pop_receipt == m.pop_receipt


class FakeNow:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def test_a_timer_fires_at_each_occurrence_and_says_when_it_is_past_due() -> None:
    fired: list[bool] = []
    now = FakeNow(datetime(2026, 11, 24, 10, 0, 10, tzinfo=UTC))
    fn = TimerFunction("sweep", "0 */5 * * * *", False, "timer", lambda timer: fired.append(timer.past_due))
    runner = TimerRunner(fn, parse_schedule(fn.schedule), now=now)
    runner.begin()
    assert fired == [] and runner.next_due == datetime(2026, 11, 24, 10, 5, tzinfo=UTC)
    now.at += timedelta(minutes=4, seconds=49)
    assert runner.tick() is False
    now.at = datetime(2026, 11, 24, 10, 5, 0, 300_000, tzinfo=UTC)
    assert runner.tick() is True and fired == [False]
    assert runner.next_due == datetime(2026, 11, 24, 10, 10, tzinfo=UTC)
    now.at = datetime(2026, 11, 24, 10, 21, tzinfo=UTC)  # the host was busy: late, and missed runs collapse
    assert runner.tick() is True and fired == [False, True]
    assert runner.next_due == datetime(2026, 11, 24, 10, 25, tzinfo=UTC)


def test_run_on_startup_fires_at_once_and_a_failing_timer_only_logs(caplog) -> None:
    calls: list[bool] = []

    def fn(timer) -> None:
        calls.append(timer.past_due)
        raise RuntimeError("sweep broke")

    runner = TimerRunner(
        TimerFunction("t", "0 0 0 * * *", True, "timer", fn),
        parse_schedule("0 0 0 * * *"),
        now=FakeNow(datetime(2026, 11, 24, 10, tzinfo=UTC)),
    )
    runner.begin()
    assert calls == [False]
    assert "sweep broke" in caplog.text


def test_timers_fire_on_their_schedule_in_the_running_host(memory_settings, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("LH_TICK", "* * * * * *")
    probe = QueueProbe()
    app = queue_app(probe, "%INBOUND_QUEUE%", schedule="%LH_TICK%")
    with LocalHost(app, container=Container(memory_settings), migrate=False) as host:
        assert probe.wait_for(lambda: len(probe.timer_calls) >= 2)
        assert host.timer_runners[0].schedule.expression == "* * * * * *"


def test_an_invalid_schedule_stops_the_start_with_one_clear_error(memory_settings, monkeypatch) -> None:
    from crm_core.settings import ConfigError

    monkeypatch.setenv("LH_TICK", "every minute")
    host = LocalHost(
        queue_app(QueueProbe(), "%INBOUND_QUEUE%", schedule="%LH_TICK%"),
        container=Container(memory_settings),
        migrate=False,
    )
    with pytest.raises(ConfigError, match="timer tick: schedule 'every minute' is invalid"):
        host.start()
    host.stop()


def test_without_a_container_it_loads_local_settings_and_dotenv(tmp_path, monkeypatch) -> None:
    names = ("LH_QUEUE", "DATABASE_URL", "QUEUE_BACKEND", "LH_FROM_DOTENV", "WEBHOOK_SECRET")
    for key in names:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("WEBHOOK_SECRET", "shell-wins")
    queue = f"lh-{uuid.uuid4().hex[:10]}"
    (tmp_path / "local.settings.json").write_text(
        json.dumps(
            {
                "IsEncrypted": False,
                "Values": {
                    "LH_QUEUE": queue,
                    "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
                    "QUEUE_BACKEND": "memory",
                    "WEBHOOK_SECRET": "file-loses",
                },
            }
        )
    )
    (tmp_path / ".env").write_text("LH_FROM_DOTENV=yes\n")
    probe = QueueProbe()
    host = LocalHost(
        queue_app(probe),
        local_settings=tmp_path / "local.settings.json",
        dotenv=tmp_path / ".env",
        host_json=write_host_json(tmp_path),
        timers=False,
    )
    with host:
        memory_queue(queue).send("via local.settings.json")
        assert probe.wait_for(lambda: probe.calls == [("via local.settings.json", 1)])
        assert host.container is not None
        assert host.container.settings.webhook_secret == "shell-wins"
        assert host.container.settings.database_url.endswith("x.db")
        assert (tmp_path / "x.db").exists()  # SQLite migrated on start
    import os

    assert os.environ["LH_FROM_DOTENV"] == "yes"
    for key in names:
        monkeypatch.delenv(key, raising=False)


def test_a_missing_queue_setting_is_one_clear_error(settings, monkeypatch) -> None:
    from crm_core.settings import ConfigError

    monkeypatch.delenv("LH_QUEUE", raising=False)
    host = LocalHost(queue_app(QueueProbe()), container=Container(settings), migrate=False)
    with pytest.raises(ConfigError, match="Setting LH_QUEUE is missing"):
        host.start()
    host.stop()


def test_azurite_configured_but_down_is_one_clear_error(tmp_path) -> None:
    import socket

    from crm_core.settings import ConfigError

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    conn = (
        f"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;"
        f"QueueEndpoint=http://127.0.0.1:{port}/devstoreaccount1;"
    )
    settings = load_settings(AzureWebJobsStorage=conn, QUEUE_BACKEND="azure", DATABASE_URL="sqlite://")
    host = LocalHost(queue_app(QueueProbe(), "%INBOUND_QUEUE%"), container=Container(settings), migrate=False)
    with pytest.raises(ConfigError, match="not listening"):
        host.start()
    host.stop()


@pytest.mark.azurite
def test_the_queue_runner_works_on_azurite(azurite, tmp_path) -> None:
    from crm_core.queueing import open_queue

    name = f"lh-{uuid.uuid4().hex[:12]}"
    settings = load_settings(
        AzureWebJobsStorage=azurite.connection_string,
        QUEUE_BACKEND="azure",
        INBOUND_QUEUE=name,
        DATABASE_URL="sqlite://",
    )
    probe = QueueProbe(fail_times={"नमस्ते flaky": 1, "always bad": 99})
    app = queue_app(probe, "%INBOUND_QUEUE%")
    with LocalHost(
        app,
        container=Container(settings),
        host_json=write_host_json(tmp_path, max_dequeue=2),
        migrate=False,
        timers=False,
        visibility_timeout=0,
    ) as host:
        queue = open_queue(settings, name)
        queue.send("नमस्ते flaky")
        queue.send("always bad")
        assert probe.wait_for(lambda: probe.poison == ["always bad"])
        assert probe.wait_for(lambda: ("नमस्ते flaky", 2) in probe.calls)
        assert host.drain(30)
    assert sorted(probe.calls) == [("always bad", 1), ("always bad", 2), ("नमस्ते flaky", 1), ("नमस्ते flaky", 2)]


def test_a_chunked_request_body_reaches_the_function(settings) -> None:
    with LocalHost(http_app(), container=Container(settings), migrate=False, queues=False, timers=False) as host:
        parts = urlsplit(host.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        conn.request(
            "POST",
            "/api/items/1",
            body=iter([b"hello ", "दुनिया".encode()]),
            encode_chunked=True,
            headers={"Transfer-Encoding": "chunked"},
        )
        resp = conn.getresponse()
        assert resp.status == 201 and json.loads(resp.read())["body"] == "hello दुनिया"
        conn.close()
