"""A fake media host on 127.0.0.1:<free port>: what a Maytapi media URL serves, plus hostile behaviours.

with MediaFake() as media:
    url = media.serve("/v.ogg", tiny_ogg(), "audio/ogg")       # 200 with a body
    media.redirect("/r", "http://169.254.169.254/latest/")      # 302 to somewhere else
    media.serve("/big", b"x" * 10, "audio/ogg", stream=10_000)  # no Content-Length, 10,000 chunks of the body
    media.fail("/v.ogg", 503, times=2)                          # the next 2 GETs of it get 503
    media.requests                                              # every path asked for, in order
    media.host                                                  # "127.0.0.1:<port>" (a MEDIA_URL_HOSTS entry)
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Route:
    """What one path answers."""

    body: bytes = b""
    content_type: str = "application/octet-stream"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    stream: int = 0  # > 0: no Content-Length; the body is sent this many times (HTTP/1.0, ends at close)
    delay: float = 0.0  # seconds before the status line
    declared_length: int | None = None  # a Content-Length to announce instead of the real one
    failures: list[int] = field(default_factory=list)


class MediaFake:
    """A threaded HTTP server answering GETs from its routes; unknown paths are 404."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[str] = []
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="media-fake", daemon=True)

    @property
    def port(self) -> int:
        """The bound port."""
        return int(self._server.server_address[1])

    @property
    def host(self) -> str:
        """host:port, as MEDIA_URL_HOSTS lists it."""
        return f"127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """The full link to a path."""
        return f"http://{self.host}{path}"

    def serve(self, path: str, body: bytes, content_type: str, **kw: Any) -> str:
        """Answer GET path with the body (see Route for the options); returns its link."""
        self.routes[path] = Route(body=body, content_type=content_type, **kw)
        return self.url(path)

    def redirect(self, path: str, location: str, status: int = 302) -> str:
        """Answer GET path with a redirect; returns its link."""
        self.routes[path] = Route(status=status, headers={"Location": location})
        return self.url(path)

    def fail(self, path: str, status: int, times: int = 1) -> None:
        """The next `times` GETs of path get this status."""
        with self._lock:
            self.routes[path].failures.extend([status] * times)

    def count(self, path: str) -> int:
        """How many GETs of path arrived."""
        with self._lock:
            return sum(1 for p in self.requests if p.split("?", 1)[0] == path)

    def start(self) -> MediaFake:
        """Start serving."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> MediaFake:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                with fake._lock:
                    fake.requests.append(self.path)
                    fake.headers.append({k.lower(): v for k, v in self.headers.items()})
                    route = fake.routes.get(path)
                    failure = route.failures.pop(0) if route is not None and route.failures else None
                try:
                    if route is None or failure is not None:
                        self._plain(404 if route is None else int(failure or 500))
                        return
                    if route.delay:
                        time.sleep(route.delay)
                    self.send_response(route.status)
                    for key, value in route.headers.items():
                        self.send_header(key, value)
                    if route.status != 200:
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    self.send_header("Content-Type", route.content_type)
                    if not route.stream:
                        length = route.declared_length if route.declared_length is not None else len(route.body)
                        self.send_header("Content-Length", str(length))
                    self.end_headers()
                    for _ in range(max(route.stream, 1)):
                        self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _plain(self, status: int) -> None:
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        return Handler
