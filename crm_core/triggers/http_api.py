"""The REST API's trigger: an ASGI app for `func.AsgiFunctionApp` that imports FastAPI on the first request.

`import function_app` runs on every cold instance, also on those that only serve the webhook, the queue or the
timer: FastAPI, the pydantic models and the routes (~0.3 s) are imported when the first API request arrives, not
before. The ASGI lifespan is answered here (the API has no start-up work), so starting the host imports nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class LazyApi:
    """An ASGI app standing for crm_core.api.app's FastAPI app until its first HTTP request."""

    def __init__(self) -> None:
        self._app: Callable[[Scope, Receive, Send], Awaitable[None]] | None = None
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        await self.app()(scope, receive, send)

    def app(self) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
        """The FastAPI app, imported and built on first use."""
        if self._app is None:
            with self._lock:
                if self._app is None:
                    from crm_core.api.app import get_app

                    self._app = get_app()
        return self._app


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


api = LazyApi()
