"""Opaque page cursors: a sort key encoded as URL-safe base64 JSON; a bad cursor is a 422, never a crash.

A cursor is client input: `decode` accepts only what `encode` could have produced — a datetime that is
representable in UTC and that every supported database can store, ints in the BIGINT range, strings without
NULs — so no crafted cursor reaches SQL with a value that overflows there.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import UTC, datetime
from typing import Any

from crm_core.api.errors import ApiError

# Years a cursor's time may name: inside what Python, SQLite, PostgreSQL and DATETIME2 all hold, with a margin.
MIN_YEAR, MAX_YEAR = 1900, 9000
# A calendar date and time as isoformat() writes it (no week dates, at most microseconds), offset optional.
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}:\d{2}|Z)?$", re.ASCII)


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
                if not isinstance(value, str) or not _ISO_TIME.match(value):
                    raise ValueError("datetime")
                moment = datetime.fromisoformat(value)
                moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)  # may overflow
                if not MIN_YEAR <= moment.year <= MAX_YEAR:
                    raise ValueError("datetime range")
                out.append(moment)
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
