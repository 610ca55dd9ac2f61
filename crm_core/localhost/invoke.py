"""Calling a user function the way the Python worker does (sync, or a coroutine run to completion)."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any


def call_function(fn: Callable[..., Any], arg_name: str, value: Any) -> Any:
    """Call fn with its trigger argument; a coroutine function is run on a fresh event loop."""
    if inspect.iscoroutinefunction(fn):
        return asyncio.run(fn(**{arg_name: value}))
    return fn(**{arg_name: value})
