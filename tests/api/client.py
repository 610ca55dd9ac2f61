"""A test client over the API's ASGI app (FastAPI's TestClient), answering in the shape the API tests read."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi.testclient import TestClient


@dataclass
class Response:
    """What the API answered."""

    status: int
    headers: Mapping[str, str]  # case-insensitive
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def error_code(self) -> str | None:
        try:
            return self.json["error"]["code"]
        except Exception:
            return None


def asgi_app() -> Any:
    """The ASGI app function_app serves at /api (the same object AsgiFunctionApp wraps)."""
    from crm_core.triggers.http_api import api

    return api


class ApiClient:
    """Sends requests to the API app in-process (no sockets); paths include the /api prefix."""

    def __init__(self) -> None:
        # Exceptions become answers (as on a server): a route's crash is checked by its 500, not by a traceback.
        self.client = TestClient(asgi_app(), base_url="http://localhost", raise_server_exceptions=False)

    def request(
        self,
        method: str,
        url: str,
        *,
        json_body: Any = None,
        body: bytes | None = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        hdrs = dict(headers or {})
        if token:
            hdrs["Authorization"] = f"Bearer {token}"
        if json_body is not None:
            body = json.dumps(json_body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        # Control characters cannot travel raw in a URL: send them percent-encoded, as a real client must.
        url = "".join(quote(c) if c.isascii() and not c.isprintable() else c for c in url)
        resp = self.client.request(method.upper(), url, content=body or b"", headers=hdrs)
        return Response(resp.status_code, resp.headers, resp.content)

    def get(self, url: str, **kw: Any) -> Response:
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> Response:
        return self.request("POST", url, **kw)


def private_app() -> Any:
    """A new AsgiFunctionApp with what function_app registers, for a LocalHost of the test's own."""
    import azure.functions as func

    import function_app

    app = func.AsgiFunctionApp(app=asgi_app(), http_auth_level=func.AuthLevel.ANONYMOUS)
    for blueprint in vars(function_app).values():
        if isinstance(blueprint, func.Blueprint):
            app.register_functions(blueprint)
    return app
