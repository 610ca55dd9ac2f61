"""LocalHost: runs a Functions app (HTTP, queue and timer triggers) in this process, as the Functions host would."""

from __future__ import annotations

import logging
import socket
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from crm_core.localhost.config import (
    QueueOptions,
    load_dotenv_file,
    load_local_settings,
    queue_options,
    read_host_json,
    resolve_placeholders,
    route_prefix,
)
from crm_core.localhost.http_server import Dispatcher, LocalHttpServer
from crm_core.localhost.index import FunctionIndex, build_index
from crm_core.localhost.queue_runner import QueueRunner
from crm_core.localhost.schedule import ScheduleError, parse_schedule
from crm_core.localhost.timers import TimerRunner
from crm_core.settings import ConfigError, Settings

if TYPE_CHECKING:
    import azure.functions as func

    from crm_core.composition import Container

log = logging.getLogger("crm_core.localhost")


class LocalHost:
    """The project's own Functions host: `start()` returns the base URL; `stop()` ends every thread.

    app defaults to `function_app.app`. Without a container, local.settings.json `Values` and `.env` are loaded
    into the environment (never overriding a set variable) and a Container is built from the settings; either
    way it becomes the process container. SQLite databases are migrated on start (migrate=False skips it).
    host_json defaults to ./host.json, else the project's. `visibility_timeout` overrides host.json's retry delay
    (tests); timers=False / queues=False turn those triggers off. Paths outside the route prefix serve the web
    dashboard's build (`web_root`, default web/dist: crm_core.web.static); web_root=False answers them 404.

    At start, before the queue runners poll, the previous run's unsettled work is taken up at once
    (take_up=False skips it): leases held by a killed host on the durable queue are released, and every inbound
    message recorded but not applied is re-enqueued (crm_core.pipeline.recovery.take_up_unapplied).
    """

    def __init__(
        self,
        app: func.FunctionRegister | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        container: Container | None = None,
        host_json: Path | str | None = None,
        local_settings: Path | str | None = Path("local.settings.json"),
        dotenv: Path | str | None = Path(".env"),
        load_settings_files: bool | None = None,
        visibility_timeout: float | None = None,
        queues: bool = True,
        timers: bool = True,
        migrate: bool = True,
        take_up: bool = True,
        web_root: Path | str | bool | None = None,
    ) -> None:
        self.app = app
        self.host = host
        self.port = port
        self.container = container
        self.host_json = Path(host_json) if host_json else default_host_json()
        self.local_settings = Path(local_settings) if local_settings else None
        self.dotenv = Path(dotenv) if dotenv else None
        self.load_settings_files = container is None if load_settings_files is None else load_settings_files
        self.visibility_timeout = visibility_timeout
        self.run_queues = queues
        self.run_timers = timers
        self.migrate = migrate
        self.take_up = take_up
        self.web_root = web_root
        self.index: FunctionIndex | None = None
        self.options = QueueOptions()
        self.queue_runners: list[QueueRunner] = []
        self.timer_runners: list[TimerRunner] = []
        self.url: str | None = None
        self._server: LocalHttpServer | None = None
        self._previous_container: Container | bool | None = False  # False: start() has not installed ours

    def __enter__(self) -> LocalHost:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> str:
        """Load settings, migrate SQLite, then serve HTTP and run the queue and timer triggers; return the URL."""
        if self._server is not None:
            raise RuntimeError("this LocalHost is already started")
        from crm_core import composition
        from crm_core.composition import Container, set_container
        from crm_core.settings import load_settings

        if self.load_settings_files:
            if self.local_settings is not None:
                load_local_settings(self.local_settings)
            if self.dotenv is not None:
                load_dotenv_file(self.dotenv)
        if self.container is None:
            self.container = Container(load_settings())
        from crm_core.security.exposure import exposure_problem

        problem = exposure_problem(self.host, self.container.settings)
        if problem:
            raise ConfigError(problem)
        self._previous_container = composition._container  # restored by stop()
        set_container(self.container)
        try:
            self._start_triggers()
        except BaseException:
            self.stop()
            raise
        assert self.url is not None
        return self.url

    def _start_triggers(self) -> None:
        assert self.container is not None
        settings = self.container.settings
        if self.app is None:
            import function_app

            self.app = function_app.app
        self.index = build_index(self.app)
        host_json = read_host_json(self.host_json)
        self.options = queue_options(host_json)
        if self.visibility_timeout is not None:
            self.options = replace(self.options, visibility_timeout=self.visibility_timeout)
        if self.migrate and self.container.database.engine.dialect.name == "sqlite":
            from crm_core.db.migrate import upgrade

            upgrade(self.container.database.engine)
        timers = self._timer_runners() if self.run_timers else []
        queues = self._queue_runners() if self.run_queues else []
        if queues and self.take_up:
            self._take_up_unsettled(queues)
        from crm_core.web.static import StaticSite

        root = self.web_root  # the dashboard at / (its build); False: nothing outside the route prefix
        web = None if root is False else StaticSite(None if isinstance(root, bool) else root).serve
        dispatcher = Dispatcher(self.index, route_prefix(host_json), lambda: settings.cors_origin_list, fallback=web)
        self._server = LocalHttpServer(dispatcher, self.host, self.port)
        self._server.start()
        self.url = self._server.url
        self.queue_runners, self.timer_runners = queues, timers
        for runner in queues:
            runner.start()
        for timer in timers:
            timer.start()
        log.info(
            "local host on %s: %d HTTP, %d queue, %d timer functions",
            self.url,
            len(self.index.http),
            len(self.index.queues),
            len(self.index.timers),
        )

    def stop(self) -> None:
        """Stop serving and polling; running invocations finish first."""
        if self._server is not None:
            self._server.stop()
            self._server = None
        for runner in self.queue_runners:
            runner.stop()
        for timer in self.timer_runners:
            timer.stop()
        self.queue_runners, self.timer_runners = [], []
        if self._previous_container is not False:
            from crm_core import composition

            if composition._container is self.container:
                composition.set_container(self._previous_container)  # type: ignore[arg-type]
            self._previous_container = False

    def drain(self, timeout: float = 30.0) -> bool:
        """Wait until every trigger's queue is empty and idle (tests, `chat`); False on timeout."""
        import time

        deadline = time.monotonic() + timeout
        while True:
            drained = all(r.drain(max(0.0, deadline - time.monotonic())) for r in self.queue_runners)
            if drained and all(r.idle() for r in self.queue_runners):
                return True
            if time.monotonic() >= deadline:
                return False

    def _queue_runners(self) -> list[QueueRunner]:
        assert self.index is not None and self.container is not None
        return queue_runners(self.index, self.container.settings, self.options)

    def _take_up_unsettled(self, runners: list[QueueRunner]) -> None:
        """What a previous (killed) run left unsettled is taken up now, not after a lease or the stranded sweep."""
        assert self.container is not None
        released = 0
        for runner in runners:
            for queue in (runner.queue, runner.poison):
                release = getattr(queue, "release_leases", None)
                if callable(release):
                    released += int(release())
        if released:
            log.warning("released %d queue message(s) a previous run had received but not settled", released)
        inbound = self.container.settings.inbound_queue.lower()
        if not any(runner.queue.name == inbound for runner in runners):
            return
        try:
            from sqlalchemy import inspect

            if not inspect(self.container.database.engine).has_table("inbound_messages"):
                return  # not the CRM's database (another app on this host), or not migrated
            from crm_core.pipeline.recovery import take_up_unapplied

            take_up_unapplied(self.container)
        except Exception:
            # The host still serves (the webhook keeps enqueueing); the timer's stranded sweep is the next net.
            log.exception("could not take up unapplied inbound messages at start")

    def _timer_runners(self) -> list[TimerRunner]:
        assert self.index is not None and self.container is not None
        runners = []
        for fn in self.index.timers:
            expression = resolve_placeholders(fn.schedule, self.container.settings, what=f"function {fn.name}")
            try:
                schedule = parse_schedule(expression)
            except ScheduleError as exc:
                raise ConfigError(f"timer {fn.name}: schedule {expression!r} is invalid: {exc}") from None
            runners.append(TimerRunner(fn, schedule))
        return runners


def default_host_json() -> Path:
    """./host.json when the working directory has one, else the one next to function_app.py."""
    here = Path("host.json")
    return here if here.is_file() else Path(__file__).resolve().parents[2] / "host.json"


def queue_runners(index: FunctionIndex, settings: Settings, options: QueueOptions) -> list[QueueRunner]:
    """One runner per queue trigger, on the configured backend, with `%SETTING%` names resolved."""
    from crm_core.queueing import open_queue, poison_queue_name

    runners = []
    for fn in index.queues:
        name = resolve_placeholders(fn.queue_name, settings, what=f"function {fn.name}").lower()
        queue = open_queue(settings, name)
        poison = open_queue(settings, poison_queue_name(name))
        _check_reachable(queue, settings.azure_web_jobs_storage)
        runners.append(QueueRunner(fn, queue, poison, options))
    return runners


def _check_reachable(queue: Any, connection: str | None) -> None:
    """Fail fast, in one line, when Azurite is configured but not listening (instead of long SDK retries), or when
    the database queue's table is missing."""
    if type(queue).__name__ == "DatabaseQueue":
        try:
            queue.count()
        except Exception as exc:
            raise ConfigError(
                f"queue {queue.name} in the database is not usable ({type(exc).__name__}); "
                "run `python -m crm_core db upgrade` (a database made by an older pre-release schema must be "
                "recreated: the initial migration is regenerated until the first release), or set QUEUE_BACKEND=memory"
            ) from None
        return
    if type(queue).__name__ != "AzureStorageQueue" or not connection:
        return
    from urllib.parse import urlsplit

    from crm_core.queueing.azure_storage import resolve_connection_string

    parts = dict(p.split("=", 1) for p in resolve_connection_string(connection).split(";") if "=" in p)
    endpoint = {k.lower(): v for k, v in parts.items()}.get("queueendpoint")
    if not endpoint:
        return
    url = urlsplit(endpoint)
    if url.hostname not in ("127.0.0.1", "localhost"):
        return
    try:
        socket.create_connection((url.hostname, url.port or 80), timeout=2).close()
    except OSError:
        raise ConfigError(
            f"Setting AzureWebJobsStorage points at Azurite on {url.hostname}:{url.port}, which is not listening: "
            "start it (npx azurite-queue --skipApiVersionCheck) or set QUEUE_BACKEND=memory"
        ) from None
    try:
        queue.count()  # creates the queue
    except Exception as exc:
        raise ConfigError(f"queue {queue.name} at {endpoint} is not usable: {exc}") from None
