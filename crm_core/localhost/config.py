"""The local host's configuration: local.settings.json `Values` and `.env` into the environment, host.json options,
and `%SETTING%` resolution in trigger bindings."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crm_core.settings import ConfigError, Settings


def load_local_settings(path: Path) -> list[str]:
    """Copy local.settings.json `Values` into os.environ (never overriding a set variable); return the names set."""
    if not path.is_file():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path} is not valid JSON: {exc}") from None
    values = data.get("Values") if isinstance(data, dict) else None
    if values is None:
        return []
    if not isinstance(values, dict):
        raise ConfigError(f"{path}: Values must be an object of setting names to strings")
    return _apply({str(k): "" if v is None else str(v) for k, v in values.items()})


def load_dotenv_file(path: Path) -> list[str]:
    """Copy a .env file's variables into os.environ (never overriding a set variable); return the names set."""
    if not path.is_file():
        return []
    from dotenv import dotenv_values

    return _apply({k: v for k, v in dotenv_values(path).items() if v is not None})


def _apply(values: dict[str, str]) -> list[str]:
    applied = []
    for key, value in values.items():
        if key and key not in os.environ:
            os.environ[key] = value
            applied.append(key)
    return applied


_TIMESPAN = re.compile(r"^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?$")


def parse_timespan(value: str) -> float:
    """A .NET TimeSpan as host.json writes it (`00:00:30`, `1.02:00:00`, `00:00:00.500`) in seconds."""
    m = _TIMESPAN.match(value.strip())
    if not m:
        raise ValueError(f"{value!r} is not a time span such as 00:00:30")
    days, hours, minutes, seconds, frac = m.groups()
    total = int(days or 0) * 86400 + int(hours) * 3600 + int(minutes) * 60 + int(seconds)
    return total + (float(f"0.{frac}") if frac else 0.0)


@dataclass(frozen=True)
class QueueOptions:
    """host.json `extensions.queues`, with the real host's defaults."""

    batch_size: int = 16
    new_batch_threshold: int | None = None
    max_dequeue_count: int = 5
    visibility_timeout: float = 0.0
    max_polling_interval: float = 60.0

    @property
    def concurrency(self) -> int:
        """How many messages run at once (batchSize + newBatchThreshold, as the host allows)."""
        threshold = self.batch_size // 2 if self.new_batch_threshold is None else self.new_batch_threshold
        return max(1, self.batch_size + threshold)


def read_host_json(path: Path) -> dict[str, Any]:
    """host.json as a dict ({} when absent)."""
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path} is not valid JSON: {exc}") from None
    return data if isinstance(data, dict) else {}


def queue_options(host_json: dict[str, Any]) -> QueueOptions:
    """The queue trigger's options from host.json `extensions.queues`."""
    raw = (host_json.get("extensions") or {}).get("queues") or {}
    defaults = QueueOptions()
    try:
        return QueueOptions(
            batch_size=int(raw.get("batchSize", defaults.batch_size)),
            new_batch_threshold=int(raw["newBatchThreshold"]) if "newBatchThreshold" in raw else None,
            max_dequeue_count=int(raw.get("maxDequeueCount", defaults.max_dequeue_count)),
            visibility_timeout=parse_timespan(raw["visibilityTimeout"]) if "visibilityTimeout" in raw else 0.0,
            max_polling_interval=(
                parse_timespan(raw["maxPollingInterval"])
                if "maxPollingInterval" in raw
                else defaults.max_polling_interval
            ),
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"host.json extensions.queues is invalid: {exc}") from None


def route_prefix(host_json: dict[str, Any]) -> str:
    """host.json `extensions.http.routePrefix` (default `api`)."""
    http = (host_json.get("extensions") or {}).get("http") or {}
    return str(http.get("routePrefix", "api")).strip("/")


_PLACEHOLDER = re.compile(r"%([^%]+)%")


def setting_values(settings: Settings | None) -> dict[str, str]:
    """Settings by their environment names (aliases), so `%INBOUND_QUEUE%` resolves to the container's value."""
    if settings is None:
        return {}
    values: dict[str, str] = {}
    for name, field in Settings.model_fields.items():
        value = getattr(settings, name)
        if value is None:
            continue
        names = [field.alias] if field.alias else []
        choices = getattr(field.validation_alias, "choices", None)
        if choices:
            names += [str(c) for c in choices]
        for env_name in names:
            values[env_name] = str(value)
    return values


def resolve_placeholders(value: str, settings: Settings | None = None, *, what: str = "a binding") -> str:
    """Replace each `%NAME%` by the setting (the settings object first, then the environment)."""
    known = setting_values(settings)

    def lookup(m: re.Match[str]) -> str:
        name = m.group(1)
        found = known.get(name)
        if found is None:
            found = os.environ.get(name)
        if found is None:
            raise ConfigError(f"Setting {name} is missing (used by {what})")
        return found

    return _PLACEHOLDER.sub(lookup, value)
