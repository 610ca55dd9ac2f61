"""WhatsApp channels: Maytapi over HTTP (requests, imported lazily) and a console channel for local runs."""

from __future__ import annotations

import logging
import sys
import threading
import uuid
from typing import TYPE_CHECKING, Any, TextIO

from crm_core.phones import whatsapp_number
from crm_core.ports import Channel, OutgoingMessage, SendError, SendResult
from crm_core.settings import Settings

if TYPE_CHECKING:
    import requests

log = logging.getLogger("crm_core.delivery")

# Phrases in a `success:false` message that mean "try again later" (phone offline, throttled, busy).
_TRANSIENT_HINTS = (
    "timeout",
    "timed out",
    "try again",
    "temporar",
    "rate limit",
    "too many",
    "busy",
    "phone is not",
    "phone not",
    "not connected",
    "disconnected",
    "not active",
    "qr",
    "loading",
)


def _looks_transient(message: str) -> bool:
    text = message.lower()
    return any(hint in text for hint in _TRANSIENT_HINTS)


def maytapi_payload(message: OutgoingMessage) -> dict[str, Any]:
    """The sendMessage JSON body for a message: text, or media with caption and filename."""
    to = message.to if "@" in message.to else whatsapp_number(message.to)
    body: dict[str, Any]
    if message.attachment_url:
        body = {"to_number": to, "type": "media", "message": message.attachment_url, "text": message.text}
        if message.attachment_filename:
            body["filename"] = message.attachment_filename
    else:
        body = {"to_number": to, "type": "text", "message": message.text}
    # The bot legitimately repeats texts ("Done ✅"); exactly-once is the outbox's job, not Maytapi's filter.
    body["skip_filter"] = True
    return body


class MaytapiChannel:
    """Sends through Maytapi's sendMessage: 4xx and `success:false` are permanent, 5xx/network retryable."""

    def __init__(self, url: str, token: str, timeout_seconds: float = 15.0) -> None:
        self.url = url
        self._token = token
        self.timeout_seconds = timeout_seconds
        self._session: requests.Session | None = None
        self._lock = threading.Lock()

    def _http(self) -> requests.Session:
        with self._lock:
            if self._session is None:
                import requests

                self._session = requests.Session()
            return self._session

    def send(self, message: OutgoingMessage) -> SendResult:
        """POST one message; return Maytapi's msgId or raise SendError."""
        import requests

        try:
            resp = self._http().post(
                self.url,
                json=maytapi_payload(message),
                headers={"x-maytapi-key": self._token, "Content-Type": "application/json"},
                timeout=(min(5.0, self.timeout_seconds), self.timeout_seconds),
            )
        except requests.Timeout as exc:
            raise SendError(f"Maytapi timed out: {exc}", permanent=False) from exc
        except requests.RequestException as exc:
            raise SendError(f"Maytapi unreachable: {exc}", permanent=False) from exc
        return self._result(resp)

    @staticmethod
    def _result(resp: requests.Response) -> SendResult:
        status = resp.status_code
        try:
            data = resp.json()
        except ValueError:
            data = None
        detail = data.get("message") if isinstance(data, dict) else None
        detail = str(detail or resp.text[:300] or resp.reason or "no body")
        if status in (408, 425, 429) or status >= 500:
            raise SendError(f"Maytapi HTTP {status}: {detail}", permanent=False)
        if status >= 400:
            raise SendError(f"Maytapi HTTP {status}: {detail}", permanent=True)
        if not isinstance(data, dict):
            # Accepted or not? Unknown: retrying risks a duplicate, giving up risks a loss; a loss is worse.
            raise SendError(f"Maytapi answered HTTP {status} without JSON", permanent=False)
        if not data.get("success"):
            raise SendError(f"Maytapi refused: {detail}", permanent=not _looks_transient(detail))
        inner = data.get("data")
        msg_id = inner.get("msgId") if isinstance(inner, dict) else None
        return SendResult(provider_message_id=str(msg_id) if msg_id else None)


class ConsoleChannel:
    """Prints what would be sent, one block per message (the embedded default with no Maytapi configured)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def send(self, message: OutgoingMessage) -> SendResult:
        """Print the message to stdout."""
        ref = f" (outbox #{message.outbox_id})" if message.outbox_id is not None else ""
        lines = [f"──── WhatsApp → {message.to}{ref} ────", message.text]
        if message.attachment_url:
            name = message.attachment_filename or message.attachment_url.rsplit("/", 1)[-1]
            lines.append(f"[attachment: {name} <{message.attachment_url}>]")
        lines.append("────")
        stream = self._stream or sys.stdout
        with self._lock:
            stream.write("\n".join(lines) + "\n")
            stream.flush()
        return SendResult(provider_message_id=f"console-{uuid.uuid4().hex[:12]}")


def build_whatsapp_channel(settings: Settings) -> Channel:
    """MaytapiChannel when Maytapi is configured (settings.use_maytapi), else the console channel."""
    if settings.use_maytapi:
        if not (settings.mayt_api_url and settings.mayt_api_token):
            from crm_core.settings import ConfigError

            raise ConfigError("Setting CHANNEL is maytapi but MAYT_API_URL or MAYT_API_TOKEN is missing")
        return MaytapiChannel(settings.mayt_api_url, settings.mayt_api_token, settings.maytapi_timeout_seconds)
    return ConsoleChannel()
