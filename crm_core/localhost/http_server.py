"""The HTTP side of the local host, on a threading HTTP/1.1 server (keep-alive).

Where a request goes (`Dispatcher.dispatch`):

- under `/<routePrefix>/` (`/api/`): the app's HTTP functions, most specific route first (literal routes such as
  `webhook` before the API's catch-all), each called with real `azure.functions.HttpRequest`/`HttpResponse`
  objects; the function of a `func.AsgiFunctionApp` (the REST API) is served by calling its ASGI app directly
  (crm_core.localhost.asgi), as Azure's worker would through `AsgiMiddleware`;
- anywhere else: `outside_prefix`, a handler the host may be given for paths outside the Functions prefix (a
  dashboard's static files, say); without one, a JSON 404.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import azure.functions as func

from crm_core.localhost.asgi import AsgiBridge
from crm_core.localhost.index import FunctionIndex, HttpFunction
from crm_core.localhost.invoke import call_function

log = logging.getLogger("crm_core.localhost.http")

MAX_BODY_BYTES = 100 * 1024 * 1024  # the Functions host's own request limit
ALLOW_HEADERS = "Authorization, Content-Type"


@dataclass
class Answer:
    """What goes back on the wire."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    function: str | None = None

    def header(self, name: str) -> str | None:
        """A header's value (case-insensitive), or None."""
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def with_function(self, name: str) -> Answer:
        """The same answer, noted as coming from that function (for the log line)."""
        self.function = name
        return self


def json_answer(status: int, code: str, message: str, headers: list[tuple[str, str]] | None = None) -> Answer:
    """`{"error": {"code", "message"}}` with a status."""
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    return Answer(status, [("Content-Type", "application/json; charset=utf-8"), *(headers or [])], body)


# A handler for paths outside the Functions prefix: (method, target, headers, body, base_url) -> Answer.
OutsideHandler = Callable[[str, str, list[tuple[str, str]], bytes, str], Answer]


class Dispatcher:
    """Turns one HTTP request into a call of the matching function (no sockets here: testable directly)."""

    def __init__(
        self,
        index: FunctionIndex,
        prefix: str = "api",
        cors_origins: Callable[[], list[str]] | None = None,
        outside_prefix: OutsideHandler | None = None,
        fallback: Callable[[str, str, list[tuple[str, str]]], tuple[int, list[tuple[str, str]], bytes]] | None = None,
    ):
        self.index = index
        self.prefix = prefix.strip("/")
        self._cors_origins = cors_origins or (lambda: [])
        self.outside_prefix = outside_prefix
        self._bridges: dict[int, AsgiBridge] = {}
        self.fallback = fallback  # serves paths outside the route prefix (the web dashboard at /)

    def _route_path(self, path: str) -> str | None:
        if not self.prefix:
            return path.strip("/")
        head = f"/{self.prefix}"
        if path == head or path == head + "/":
            return ""
        if path.lower().startswith(head.lower() + "/"):
            return path[len(head) + 1 :].strip("/")
        return None

    def dispatch(self, method: str, target: str, headers: list[tuple[str, str]], body: bytes, base_url: str) -> Answer:
        """Route, call and convert; unknown routes are 404, wrong methods 405, exceptions 500."""
        method = method.upper()
        parts = urlsplit(target)
        rel = self._route_path(parts.path)
        if rel is None and self.outside_prefix is not None:
            return self.outside_prefix(method, target, headers, body, base_url)
        if rel is None and self.fallback is not None:
            status, answer_headers, answer_body = self.fallback(method, parts.path, headers)
            return Answer(status, answer_headers, answer_body, function="web")
        matches = self.index.matches(rel) if rel is not None else []
        if not matches:
            return json_answer(404, "not_found", f"no function serves {parts.path}")
        allowed = sorted({m for f, _ in matches for m in f.methods})
        for fn, params in matches:
            if fn.allows(method) and fn.asgi is not None:
                return self._asgi(fn, method, parts.path, parts.query, headers, body)
            if fn.allows(method):
                return self._invoke(fn, params, method, base_url + target, headers, parts.query, body)
        if method == "OPTIONS":
            return self._preflight(headers, allowed)
        return json_answer(
            405, "method_not_allowed", f"{method} is not allowed here", [("Allow", ", ".join(allowed))]
        ).with_function(matches[0][0].name)

    def _allowed_origin(self, headers: list[tuple[str, str]]) -> str | None:
        origin = _header(headers, "Origin")
        if not origin:
            return None
        origins = self._cors_origins()
        if "*" in origins:
            return "*"
        return origin if origin in origins else None

    def _preflight(self, headers: list[tuple[str, str]], allowed: list[str]) -> Answer:
        answer = Answer(204, [("Allow", ", ".join([*allowed, "OPTIONS"]))])
        origin = self._allowed_origin(headers)
        if origin:
            answer.headers += [
                ("Access-Control-Allow-Origin", origin),
                ("Access-Control-Allow-Methods", ", ".join([*allowed, "OPTIONS"])),
                (
                    "Access-Control-Allow-Headers",
                    _header(headers, "Access-Control-Request-Headers") or ALLOW_HEADERS,
                ),
                ("Access-Control-Max-Age", "600"),
                ("Vary", "Origin"),
            ]
        return answer

    def _asgi(
        self, fn: HttpFunction, method: str, path: str, query: str, headers: list[tuple[str, str]], body: bytes
    ) -> Answer:
        bridge = self._bridges.get(id(fn.asgi))
        if bridge is None:
            bridge = self._bridges.setdefault(id(fn.asgi), AsgiBridge(fn.asgi))
        try:
            result = bridge.call(method, path, query, headers, body)
        except Exception:
            log.exception("function %s raised", fn.name)
            return json_answer(500, "internal_error", "the function failed; see the host's log").with_function(fn.name)
        return Answer(result.status, result.headers, result.body, fn.name)

    def close(self) -> None:
        """Stop the event loops of the ASGI apps served."""
        for bridge in self._bridges.values():
            bridge.close()
        self._bridges.clear()

    def _invoke(
        self,
        fn: HttpFunction,
        route_params: dict[str, str],
        method: str,
        url: str,
        headers: list[tuple[str, str]],
        query: str,
        body: bytes,
    ) -> Answer:
        merged: dict[str, str] = {}
        for key, value in headers:
            merged[key] = f"{merged[key]}, {value}" if key in merged else value
        params: dict[str, str] = {}
        for key, value in parse_qsl(query, keep_blank_values=True):
            params.setdefault(key, value)
        req = func.HttpRequest(
            method,
            url,
            headers=merged,
            params=params,
            route_params={k: unquote(v) for k, v in route_params.items()},
            body=body,
        )
        try:
            result = call_function(fn.fn, fn.arg_name, req)
        except Exception:
            log.exception("function %s raised", fn.name)
            return json_answer(500, "internal_error", "the function failed; see the host's log").with_function(fn.name)
        answer = _convert(result)
        answer.function = fn.name
        origin = self._allowed_origin(headers)
        if origin and answer.header("Access-Control-Allow-Origin") is None:
            answer.headers += [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
        return answer


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    for key, value in headers:
        if key.lower() == name.lower():
            return value
    return None


def _convert(result: Any) -> Answer:
    """A function's return value as the host sends it."""
    if isinstance(result, func.HttpResponse):
        headers = [(k, v) for k, v in result.headers.items() if k.lower() not in ("content-length", "connection")]
        if not any(k.lower() == "content-type" for k, _ in headers):
            ctype = result.mimetype or "text/plain"
            if result.charset and (ctype.startswith("text/") or ctype.endswith(("json", "xml", "javascript"))):
                ctype = f"{ctype}; charset={result.charset}"
            headers.append(("Content-Type", ctype))
        return Answer(result.status_code, headers, result.get_body() or b"")
    if result is None:
        return Answer(204)
    if isinstance(result, bytes):
        return Answer(200, [("Content-Type", "application/octet-stream")], result)
    if isinstance(result, str):
        return Answer(200, [("Content-Type", "text/plain; charset=utf-8")], result.encode())
    return Answer(200, [("Content-Type", "application/json; charset=utf-8")], json.dumps(result).encode())


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "crm-core-localhost"
    timeout = 60  # idle keep-alive connections close after a minute
    # Small JSON answers on keep-alive connections: without TCP_NODELAY, Nagle + delayed ACK add ~40 ms each.
    disable_nagle_algorithm = True
    dispatcher: Dispatcher

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default access log (one line per request is written by _handle)."""

    def _read_body(self) -> bytes | None:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks: list[bytes] = []
            total = 0
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY_BYTES:
                    return None
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            return None
        return self.rfile.read(length) if length > 0 else b""

    def _forwarded(self) -> list[tuple[str, str]]:
        """The request's headers with the peer's address appended to X-Forwarded-For, as Azure's front end does."""
        peer = str(self.client_address[0])
        headers = [(k, v) for k, v in self.headers.items() if k.lower() != "x-forwarded-for"]
        chain = [v.strip() for k, v in self.headers.items() if k.lower() == "x-forwarded-for" and v.strip()]
        headers.append(("X-Forwarded-For", ", ".join([*chain, peer])))
        return headers

    def _handle(self) -> None:
        started = time.perf_counter()
        try:
            body = self._read_body()
        except ValueError:
            body = None
            self.close_connection = True
        if body is None:
            self.close_connection = True
            answer = json_answer(413, "payload_too_large", "the request body is too large or malformed")
        else:
            host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])  # type: ignore[index]
            answer = self.dispatcher.dispatch(self.command, self.path, self._forwarded(), body, f"http://{host}")
        self.send_response(answer.status)
        for key, value in answer.headers:
            self.send_header(key, value)
        body_allowed = answer.status not in (204, 304)
        if body_allowed:
            self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if body_allowed and answer.body and self.command != "HEAD":
            self.wfile.write(answer.body)
        elapsed = (time.perf_counter() - started) * 1000
        path = urlsplit(self.path).path
        log.info(
            "%s %s %s %.1fms%s",
            self.command,
            path,
            answer.status,
            elapsed,
            f" [{answer.function}]" if answer.function else "",
        )

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # many clients connecting at once (load tests) are queued, not refused


class LocalHttpServer:
    """A threading HTTP server bound to host:port (0 picks a free port), serving in a background thread."""

    def __init__(self, dispatcher: Dispatcher, host: str = "127.0.0.1", port: int = 0) -> None:
        self.dispatcher = dispatcher
        handler = type("Handler", (_Handler,), {"dispatcher": dispatcher})
        self._server = _Server((host, port), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="localhost-http", daemon=True)

    @property
    def url(self) -> str:
        """The base URL, e.g. http://127.0.0.1:7071."""
        host, port = self._server.server_address[:2]
        shown = host if isinstance(host, str) and host not in ("0.0.0.0", "::", "") else "127.0.0.1"  # noqa: S104
        return f"http://{shown}:{port}"

    def start(self) -> None:
        """Serve in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting, close the socket."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
        self.dispatcher.close()
