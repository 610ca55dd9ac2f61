"""Turning a parser's field values into a valid Command: a value that fails validation is dropped, never guessed."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from crm_core.commands import Command


def safe_command(data: dict[str, Any]) -> tuple[Command | None, int]:
    """A Command from raw values, dropping the fields that fail validation; also how many were dropped.

    None when the intent itself is not valid.
    """
    data = dict(data)
    dropped = 0
    for _ in range(len(data) + 1):
        try:
            return Command.model_validate(data), dropped
        except ValidationError as exc:
            bad = {str(err["loc"][0]) for err in exc.errors() if err.get("loc")}
            if not bad or "intent" in bad:
                return None, dropped
            for key in bad:
                if key in data:
                    data.pop(key)
                    dropped += 1
    return None, dropped
