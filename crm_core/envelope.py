"""The envelope: one inbound message as it travels on the queue (webhook/app → queue function)."""

from __future__ import annotations

import json
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


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
    # "text": parse and apply; "unsupported": a voice note/media the bot cannot read (answered "please type it");
    # "too_long": a text over the limit (answered "please split it"). Set by the webhook; the queue answers.
    kind: str = Field("text", pattern=r"^(text|unsupported|too_long)$")
    media_type: str | None = Field(None, max_length=40)
    # When our door received it (crm_core.clock.next_receive_seq: ns since the epoch, strictly increasing per
    # process). Orders one sender's messages with the same whole-second sent_at; None for envelopes from before it.
    receive_seq: int | None = Field(None, ge=0)

    def to_json(self) -> str:
        """Serialise for the queue."""
        return self.model_dump_json()

    @classmethod
    def from_json(cls, raw: str | bytes) -> Envelope:
        """Parse from the queue."""
        return cls.model_validate_json(raw)
