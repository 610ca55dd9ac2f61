"""The app's own function index (`app.get_functions()`), read the way the Functions host reads it.

No second routing table: HTTP routes, methods, queue names and schedules all come from the decorators.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import azure.functions as func


@dataclass(frozen=True)
class HttpFunction:
    """An HTTP trigger: route template, methods (upper case; empty means any) and the user function.

    `asgi` is the ASGI app behind the function of a `func.AsgiFunctionApp` (the host may call it directly).
    """

    name: str
    route: str
    methods: frozenset[str]
    arg_name: str
    fn: Callable[..., Any]
    pattern: re.Pattern[str]
    literal_segments: int
    asgi: Any = None

    def match(self, path: str) -> dict[str, str] | None:
        """The route parameters when path (without the route prefix) matches this route, else None."""
        m = self.pattern.fullmatch(path)
        if m is None:
            return None
        return {k: v for k, v in m.groupdict().items() if v is not None}

    def allows(self, method: str) -> bool:
        """Whether the trigger accepts this method."""
        return not self.methods or method.upper() in self.methods


@dataclass(frozen=True)
class QueueFunction:
    """A queue trigger: its queue name as written (may hold `%SETTING%`), its connection setting and function."""

    name: str
    queue_name: str
    connection: str | None
    arg_name: str
    fn: Callable[..., Any]


@dataclass(frozen=True)
class TimerFunction:
    """A timer trigger: its NCRONTAB schedule as written, run-on-startup, and function."""

    name: str
    schedule: str
    run_on_startup: bool
    arg_name: str
    fn: Callable[..., Any]


@dataclass(frozen=True)
class FunctionIndex:
    """Every function of an app, by trigger kind."""

    http: tuple[HttpFunction, ...]
    queues: tuple[QueueFunction, ...]
    timers: tuple[TimerFunction, ...]
    other: tuple[str, ...]

    def matches(self, path: str) -> list[tuple[HttpFunction, dict[str, str]]]:
        """The HTTP functions whose route matches path (without the prefix), most specific first."""
        return [(f, params) for f in self.http if (params := f.match(path)) is not None]


_PARAM = re.compile(r"\{(\*?)([A-Za-z_][A-Za-z0-9_]*)(\?)?(?::[^{}]*)?\}")


def route_pattern(route: str) -> tuple[re.Pattern[str], int]:
    """A case-insensitive regex for an ASP.NET-style route template (`leads/{user_id}`, `{*rest}`, `{id?}`)."""
    route = route.strip("/")
    parts: list[str] = []
    literal = 0
    for segment in route.split("/") if route else []:
        pos = 0
        out = ""
        has_param = False
        for m in _PARAM.finditer(segment):
            out += re.escape(segment[pos : m.start()])
            catch_all, name, optional = m.group(1), m.group(2), m.group(3)
            body = ".*" if catch_all else "[^/]+"
            out += f"(?P<{name}>{body}){'?' if optional else ''}"
            has_param = True
            pos = m.end()
        out += re.escape(segment[pos:])
        if not has_param:
            literal += 1
        parts.append(out)
    regex = "/".join(parts)
    # An optional last segment may be left out together with its slash.
    regex = re.sub(r"/(\(\?P<\w+>[^)]*\)\?)$", r"(?:/\1)?", regex)
    return re.compile(regex, re.IGNORECASE), literal


def _binding(fn: Any, kind: str) -> dict[str, Any]:
    for b in fn.get_bindings():
        if b.type == kind:
            return dict(b.get_dict_repr())
    return {}


def _methods(raw: Any) -> frozenset[str]:
    return frozenset(str(getattr(m, "value", m)).upper() for m in raw or ())


_indexes: weakref.WeakKeyDictionary[Any, FunctionIndex] = weakref.WeakKeyDictionary()


def list_functions(app: func.FunctionRegister) -> list[Any]:
    """app.get_functions(), callable more than once per app.

    The library's duplicate-name check remembers names from earlier calls and then refuses every later call;
    this listing starts from a clean memory (a real duplicate still fails) and leaves it as it found it.
    """
    before = getattr(app, "functions_bindings", None)
    app.functions_bindings = {}
    try:
        return list(app.get_functions())
    finally:
        app.functions_bindings = before


def build_index(app: func.FunctionRegister) -> FunctionIndex:
    """Read app.get_functions() into HTTP, queue and timer triggers (once per app object)."""
    cached = _indexes.get(app)
    if cached is not None:
        return cached
    http: list[HttpFunction] = []
    queues: list[QueueFunction] = []
    timers: list[TimerFunction] = []
    other: list[str] = []
    asgi_app = getattr(getattr(app, "middleware", None), "_app", None)  # AsgiFunctionApp's AsgiMiddleware
    for fn in list_functions(app):
        name = str(fn.get_function_name())
        user_fn = fn.get_user_function()
        if b := _binding(fn, "httpTrigger"):
            route = str(b.get("route") or name)
            pattern, literal = route_pattern(route)
            asgi = asgi_app if getattr(fn, "http_type", None) == "asgi" else None
            methods = _methods(b.get("methods"))
            http.append(HttpFunction(name, route, methods, b["name"], user_fn, pattern, literal, asgi))
        elif b := _binding(fn, "queueTrigger"):
            queues.append(QueueFunction(name, str(b["queueName"]), b.get("connection"), b["name"], user_fn))
        elif b := _binding(fn, "timerTrigger"):
            timers.append(TimerFunction(name, str(b["schedule"]), bool(b.get("runOnStartup")), b["name"], user_fn))
        else:
            other.append(name)
    # Literal segments win over parameters (`users/me` before `users/{id}`), as in ASP.NET routing.
    http.sort(key=lambda f: (-f.literal_segments, f.route.count("{")))
    index = FunctionIndex(tuple(http), tuple(queues), tuple(timers), tuple(other))
    _indexes[app] = index
    return index
