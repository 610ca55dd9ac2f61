"""A fake Maytapi on 127.0.0.1:<free port>: records sendMessage bodies, checks x-maytapi-key, fails on demand.

with MaytapiFake() as fake:
    channel = MaytapiChannel(fake.send_url, fake.token)
    fake.fail(3, status=500)        # the next 3 requests get HTTP 500
    fake.refuse(1, "Phone is not active")  # the next request gets 200 {"success": false, ...}
    ...
    fake.received  # list of JSON bodies accepted (successful sends only)
"""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class MaytapiFake:
    """A threaded HTTP server that behaves like Maytapi's sendMessage endpoint."""

    def __init__(
        self,
        token: str = "fake-maytapi-token",  # noqa: S107
        product_id: str = "prod-1",
        phone_id: str = "12",
    ) -> None:
        self.token = token
        self.product_id = product_id
        self.phone_id = phone_id
        self.received: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []  # every body that reached the server, failed or not
        self._fail: list[tuple[int, dict[str, Any]]] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT"""
        assert self._server is not None, "MaytapiFake is not started"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def send_url(self) -> str:
        """The full sendMessage URL (what MAYT_API_URL holds)."""
        return f"{self.base_url}/api/{self.product_id}/{self.phone_id}/sendMessage"

    def fail(self, times: int, status: int = 500) -> None:
        """Fail the next `times` requests with an HTTP status."""
        with self._lock:
            self._fail.extend((status, {"success": False, "message": f"fake failure {status}"}) for _ in range(times))

    def refuse(self, times: int, message: str = "refused") -> None:
        """Answer the next `times` requests with 200 {"success": false, "message": ...}."""
        with self._lock:
            self._fail.extend((200, {"success": False, "message": message}) for _ in range(times))

    def texts_to(self, number: str) -> list[str]:
        """Texts (or captions) accepted for a to_number (digits, no plus)."""
        number = number.lstrip("+")
        with self._lock:
            return [
                str(b.get("text") or b.get("message")) if b.get("type") == "media" else str(b.get("message"))
                for b in self.received
                if b.get("to_number") == number
            ]

    def _handle(self, path: str, key: str | None, raw: bytes) -> tuple[int, dict[str, Any]]:
        expected = f"/api/{self.product_id}/{self.phone_id}/sendMessage"
        if path.split("?", 1)[0] != expected:
            return 404, {"success": False, "message": "not found"}
        if key != self.token:
            return 401, {"success": False, "message": "Invalid token"}
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return 400, {"success": False, "message": "invalid json"}
        with self._lock:
            self.requests.append(body)
            if self._fail:
                return self._fail.pop(0)
            if not body.get("to_number") or body.get("type") not in ("text", "media") or not body.get("message"):
                return 400, {"success": False, "message": "to_number, type and message are required"}
            self.received.append(body)
        msg_id = uuid.uuid4().hex[:20].upper()
        return 200, {"success": True, "data": {"chatId": f"{body['to_number']}@c.us", "msgId": msg_id}}

    def __enter__(self) -> MaytapiFake:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                status, payload = fake._handle(self.path, self.headers.get("x-maytapi-key"), raw)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="maytapi-fake", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
