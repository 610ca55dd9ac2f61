"""A minimal threaded HTTP host for tests: a WSGI adapter over the app's own HTTP trigger functions.

Used by the schemathesis test when crm_core.localhost.LocalHost is not available.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qsl
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import azure.functions as func

from tests.api.client import _index

REASONS = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Payload Too Large",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def wsgi_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Route a WSGI request to the matching trigger function, as the Functions host would."""
    method = environ["REQUEST_METHOD"].upper()
    path = environ.get("PATH_INFO", "")
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length else b""
    headers = {k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = environ["CONTENT_TYPE"]
    if environ.get("CONTENT_LENGTH"):
        headers["Content-Length"] = environ["CONTENT_LENGTH"]
    query = environ.get("QUERY_STRING", "")
    for entry in _index():
        m = entry.regex.match(path)
        if m and method in entry.methods:
            req = func.HttpRequest(
                method=method,
                url=f"http://127.0.0.1{path}?{query}",
                headers=headers,
                params=dict(parse_qsl(query, keep_blank_values=True)),
                route_params=m.groupdict(),
                body=body,
            )
            resp = entry.fn(req)
            out = resp.get_body() or b""
            hdrs = [(k, v) for k, v in resp.headers.items() if k.lower() != "content-type"]
            if out:
                hdrs.append(("Content-Type", resp.mimetype or "application/json"))
            hdrs.append(("Content-Length", str(len(out))))
            start_response(f"{resp.status_code} {REASONS.get(resp.status_code, 'Status')}", hdrs)
            return [out]
    start_response("404 Not Found", [("Content-Type", "application/json")])
    return [b'{"error": {"code": "not_found", "message": "no such route"}}']


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class WsgiHost:
    """Serves wsgi_app on 127.0.0.1 in a background thread."""

    def __init__(self) -> None:
        self._server = make_server("127.0.0.1", 0, wsgi_app, server_class=_ThreadingServer, handler_class=_QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> str:
        self._thread.start()
        return f"http://127.0.0.1:{self._server.server_port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
