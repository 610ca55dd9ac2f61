"""The local host's way into an ASGI app (the API behind `func.AsgiFunctionApp`): called directly, on one event
loop that lives as long as the host, instead of through `AsgiMiddleware` and a new loop per request.

It gives the app what Azure's front end gives it through the worker: method, path, query, headers (with
X-Forwarded-For), body; and keeps what the app answers. The app's sync routes run in its own thread pool.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

AsgiApp = Callable[[MutableMapping[str, Any], Any, Any], Awaitable[None]]
TIMEOUT_SECONDS = 230.0  # the Functions front end cuts HTTP answers at 230 s


@dataclass
class AsgiAnswer:
    """Status, headers and body as the app sent them."""

    status: int = 500
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


class AsgiBridge:
    """Runs one ASGI app's requests on a background event loop; `call()` is safe from any thread."""

    def __init__(self, app: AsgiApp) -> None:
        self.app = app
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                self._thread = threading.Thread(target=loop.run_forever, name="localhost-asgi", daemon=True)
                self._thread.start()
                self._loop = loop
            return self._loop

    def call(
        self,
        method: str,
        path: str,
        query: str,
        headers: list[tuple[str, str]],
        body: bytes,
        client: tuple[str, int] | None = None,
        server: tuple[str, int] | None = None,
    ) -> AsgiAnswer:
        """One request through the app; an exception the app lets out is raised here."""
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": method.upper(),
            "scheme": "http",
            "path": unquote(path),
            "raw_path": path.encode("latin-1", "replace"),
            "query_string": query.encode("latin-1", "replace"),
            "root_path": "",
            "headers": [(k.lower().encode("latin-1"), v.encode("latin-1", "replace")) for k, v in headers],
            "client": client,
            "server": server,
            "state": {},
        }
        future = asyncio.run_coroutine_threadsafe(_run(self.app, scope, body), self._running_loop())
        return future.result(TIMEOUT_SECONDS)

    def close(self) -> None:
        """Stop the loop (requests still running are abandoned)."""
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is not None:
            loop.call_soon_threadsafe(loop.stop)
            if thread is not None:
                thread.join(timeout=10)
            loop.close()


async def _run(app: AsgiApp, scope: MutableMapping[str, Any], body: bytes) -> AsgiAnswer:
    answer = AsgiAnswer()
    chunks: list[bytes] = []
    sent = False
    done = asyncio.Event()

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer.status = int(message["status"])
            answer.headers = [(bytes(k).decode("latin-1"), bytes(v).decode("latin-1")) for k, v in message["headers"]]
        elif message["type"] == "http.response.body":
            chunks.append(bytes(message.get("body", b"")))
            if not message.get("more_body", False):
                done.set()

    try:
        await app(scope, receive, send)
    finally:
        done.set()
    answer.body = b"".join(chunks)
    return answer
