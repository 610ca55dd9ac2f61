"""A test client that dispatches requests to the Functions app's own HTTP triggers (routes from its index)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import azure.functions as func


@dataclass
class Response:
    """What a trigger answered."""

    status: int
    headers: dict[str, str]
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


@dataclass
class _Entry:
    regex: re.Pattern[str]
    methods: set[str]
    fn: Any


def _compile(route: str) -> re.Pattern[str]:
    pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", route)
    return re.compile(f"^/api/{pattern}$")


_INDEX: list[_Entry] = []


def private_app() -> func.FunctionApp:
    """A new FunctionApp with every blueprint function_app registers (function_app.app itself stays unindexed)."""
    import function_app

    app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
    for blueprint in vars(function_app).values():
        if isinstance(blueprint, func.Blueprint):
            app.register_functions(blueprint)
    return app


def _index() -> list[_Entry]:
    """The HTTP routes of every blueprint function_app registers, indexed through a private FunctionApp.

    (FunctionApp.get_functions() may run only once per app object, so function_app.app is left alone.)
    """
    if not _INDEX:
        for fn in private_app().get_functions():
            for b in fn.get_bindings():
                d = b.get_dict_repr()
                if d["type"] == "httpTrigger":
                    methods = {str(getattr(m, "value", m)).upper() for m in d["methods"]}
                    _INDEX.append(_Entry(_compile(d["route"]), methods, fn.get_user_function()))
    return _INDEX


@dataclass
class ApiClient:
    """Calls the registered function for a method and path, like the Functions host does."""

    entries: list[_Entry] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.entries = _index()

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
        parts = urlsplit(url)
        hdrs = dict(headers or {})
        if token:
            hdrs["Authorization"] = f"Bearer {token}"
        if json_body is not None:
            body = json.dumps(json_body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        for entry in self.entries:
            m = entry.regex.match(parts.path)
            if m and method.upper() in entry.methods:
                req = func.HttpRequest(
                    method=method.upper(),
                    url=f"http://localhost{url}",
                    headers=hdrs,
                    params=dict(parse_qsl(parts.query, keep_blank_values=True)),
                    route_params=m.groupdict(),
                    body=body or b"",
                )
                resp = entry.fn(req)
                return Response(resp.status_code, dict(resp.headers), resp.get_body())
        return Response(404, {}, b'{"error": {"code": "no_route", "message": "no such route"}}')

    def get(self, url: str, **kw: Any) -> Response:
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> Response:
        return self.request("POST", url, **kw)
