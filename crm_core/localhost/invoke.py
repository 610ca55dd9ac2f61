"""Calling a user function the way the Python worker does (sync, or a coroutine run to completion).

A function that declares a `context` parameter gets an invocation context, as the worker passes one
(`func.AsgiFunctionApp`'s function does).
"""

from __future__ import annotations

import asyncio
import inspect
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class LocalContext:
    """The parts of the worker's invocation context that functions read."""

    function_name: str
    invocation_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    function_directory: str = "."
    thread_local_storage: threading.local = field(default_factory=threading.local)
    trace_context: Any = None
    retry_context: Any = None


def call_function(fn: Callable[..., Any], arg_name: str, value: Any) -> Any:
    """Call fn with its trigger argument (and a context when it asks for one); a coroutine runs on a fresh loop."""
    kwargs = {arg_name: value}
    if "context" in inspect.signature(fn).parameters:
        kwargs["context"] = LocalContext(getattr(fn, "__name__", "function"))
    if inspect.iscoroutinefunction(fn):
        return asyncio.run(fn(**kwargs))
    return fn(**kwargs)
