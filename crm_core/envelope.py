"""The envelope: one inbound message as it travels on the queue (webhook/app → queue function)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

# C0 controls other than tab, newline and carriage return, and DEL: never part of a chat message. NUL in particular
# cannot be stored in a PostgreSQL text column, so a message carrying one could never be recorded.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# In a Python str every code point in this range is a lone surrogate (JSON pairs are already combined): it cannot be
# encoded as UTF-8, so neither a database driver nor the queue's JSON could carry it.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Bidirectional-text controls (embeddings, overrides, isolates, marks): a right-to-left override in a note would be
# stored and echoed back reversing what a colleague reads. Names and notes never need them; they are dropped.
_BIDI = re.compile(r"[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")
_MEDIA_TYPE = re.compile(r"[^a-z0-9_.+/-]")
_MIME = re.compile(r"[^a-z0-9_.+/=; -]")
MAX_MEDIA_URL = 2048


def clean_text(value: str) -> str:
    """Text that every database and the queue can carry: controls (bidirectional ones too) dropped, lone surrogates
    replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", _BIDI.sub("", _CONTROL.sub("", value)))


def unclean_reason(value: str) -> str | None:
    """Why a value that must be kept exactly (an id) cannot be accepted, or None when it is clean."""
    if _CONTROL.search(value):
        return "contains control characters"
    if _SURROGATE.search(value):
        return "contains invalid Unicode (a lone surrogate)"
    return None


def ordering_group(body: str) -> str | None:
    """The ordering group of a queued envelope — its sender — or None for a body that is not an envelope."""
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        return None
    sender = value.get("sender") if isinstance(value, dict) else None
    return sender if isinstance(sender, str) and sender else None


class Envelope(BaseModel):
    """A user's message, normalised from Maytapi, the app or the console."""

    model_config = ConfigDict(extra="ignore")

    provider: str = Field(pattern=r"^(maytapi|app|console)$")
    message_id: str = Field(min_length=1, max_length=200)
    sender: str = Field(min_length=8, max_length=20, description="E.164 phone of the sender")
    text: str = Field(max_length=8000)
    sent_at: datetime
    sender_name: str | None = Field(None, max_length=200)
    # "text": parse and apply; "voice": a voice note (ptt/audio) to transcribe; "image": a photo, read as a visiting
    # card (its caption is `text`); "unsupported": media the bot cannot read (answered "please type it");
    # "too_long": a text over the limit (answered "please split it"). Set by the webhook; the queue answers.
    # Nothing is downloaded before the queue function (crm_core.media), which checks the link first.
    kind: str = Field("text", pattern=r"^(text|voice|image|unsupported|too_long)$")
    media_type: str | None = Field(None, max_length=40)
    media_url: str | None = Field(None, max_length=MAX_MEDIA_URL)  # as the provider gave it; checked before use
    media_mime: str | None = Field(None, max_length=100)
    # When our door received it (crm_core.clock.next_receive_seq: ns since the epoch, strictly increasing per
    # process). Orders one sender's messages with the same whole-second sent_at; None for envelopes from before it.
    receive_seq: int | None = Field(None, ge=0)

    @field_validator("text", "sender_name", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return clean_text(value) if isinstance(value, str) else value

    @field_validator("media_type", mode="before")
    @classmethod
    def _media_type(cls, value: Any) -> Any:
        return _MEDIA_TYPE.sub("", value.lower()) if isinstance(value, str) else value

    @field_validator("media_mime", mode="before")
    @classmethod
    def _mime(cls, value: Any) -> Any:
        return _MIME.sub("", value.lower())[:100] or None if isinstance(value, str) else value

    @field_validator("media_url", mode="before")
    @classmethod
    def _url(cls, value: Any) -> Any:
        # A link with control characters or spaces is dropped (never fetched); the queue says it cannot be read.
        if isinstance(value, str) and (unclean_reason(value) or any(c.isspace() for c in value)):
            return None
        return value

    @field_validator("message_id", mode="before")
    @classmethod
    def _exact_id(cls, value: Any) -> Any:
        if isinstance(value, str) and (reason := unclean_reason(value)):
            raise ValueError(f"message id {reason}")
        return value

    def to_json(self) -> str:
        """Serialise for the queue."""
        return self.model_dump_json()

    @classmethod
    def from_json(cls, raw: str | bytes) -> Envelope:
        """Parse from the queue."""
        return cls.model_validate_json(raw)
