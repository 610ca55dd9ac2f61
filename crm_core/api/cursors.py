"""Opaque page cursors: a sort key encoded as URL-safe base64 JSON; a bad cursor is a 422, never a crash."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Any

from crm_core.api.http import ApiError


def encode(*key: Any) -> str:
    """Encode a sort key (datetimes, ints, strings) as a cursor."""
    parts = [v.astimezone(UTC).isoformat() if isinstance(v, datetime) else v for v in key]
    raw = json.dumps(parts, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode(cursor: str, *types: type) -> tuple[Any, ...]:
    """Decode a cursor into values of the given types (datetime, int, str); 422 when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        parts = json.loads(raw.decode("utf-8"))
        if not isinstance(parts, list) or len(parts) != len(types):
            raise ValueError("shape")
        out: list[Any] = []
        for value, kind in zip(parts, types, strict=True):
            if kind is datetime:
                moment = datetime.fromisoformat(str(value))
                out.append(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
            elif kind is int:
                if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
                    raise ValueError("int")
                out.append(value)
            else:
                if not isinstance(value, str) or "\x00" in value:
                    raise ValueError("str")
                out.append(value)
        return tuple(out)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, OverflowError):
        raise ApiError(422, "invalid_cursor", "the cursor is not valid; start again without it") from None
