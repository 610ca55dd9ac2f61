"""POST /api/webhook (Maytapi): check the secret, normalise the payload, enqueue one envelope, answer at once.

No SQL and no GPT here: the webhook only validates and enqueues, so Maytapi gets its 200 in milliseconds even
when the database is paused (on Azure the queue is a Storage queue; with the embedded default it is a table of the
local database, committed before the 200). Every input problem is a 4xx with a JSON error, never a 500: JSON nested
too deeply, fields of the wrong type, ids with control characters. Text is cleaned on the way in (controls dropped,
lone surrogates replaced: crm_core.envelope.clean_text), so every acknowledged message can be recorded on any
database. Each envelope carries a receive stamp (crm_core.clock.next_receive_seq) that orders one sender's
messages with the same whole-second timestamp in the order they reached us.

Voice notes (`ptt`/`audio`) and photos are enqueued as envelopes of kind "voice" and "image" carrying the media
link and its declared MIME type: nothing is downloaded here. The queue function checks the link against
MEDIA_URL_HOSTS, downloads it with a size cap and transcribes it or reads the visiting card (crm_core.media), outside
any transaction. Other media the bot cannot read are enqueued as kind "unsupported": the queue function records the
message and writes the polite "please type it" reply to the outbox, so that reply is de-duplicated by message id,
survives a Maytapi outage and is retried like any other message (a direct send from here would block on Maytapi and
be lost when it is down).
"""

from __future__ import annotations

import hmac
import json
import logging
from datetime import UTC, datetime
from typing import Any

import azure.functions as func
from pydantic import ValidationError

from crm_core.clock import next_receive_seq
from crm_core.composition import get_container
from crm_core.envelope import MAX_MEDIA_URL, Envelope, unclean_reason
from crm_core.phones import to_e164

log = logging.getLogger("crm_core.pipeline.webhook")

MAX_BODY_BYTES = 64 * 1024
MAX_TEXT_CHARS = 8000
MAX_JSON_DEPTH = 16  # Maytapi's payloads are 3 levels deep
CAPTIONED_TYPES = frozenset({"image", "document"})
VOICE_TYPES = frozenset({"ptt", "audio"})  # a voice note (ptt) or a forwarded audio file
PHONE_PROBLEM_STATES = frozenset({"qr-code", "idle", "phone-error"})
IGNORED_EVENTS = frozenset({"ack", "status", "live_event", "error"})


class _BadInput(Exception):
    """A field of the payload that cannot be accepted: answered 400 with this code and message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _json(status: int, payload: dict[str, Any]) -> func.HttpResponse:
    return func.HttpResponse(json.dumps(payload), status_code=status, mimetype="application/json")


def _error(status: int, code: str, message: str) -> func.HttpResponse:
    return _json(status, {"error": {"code": code, "message": message}})


def _ok(status: str, **extra: Any) -> func.HttpResponse:
    return _json(200, {"ok": True, "status": status, **extra})


def _secret_ok(req: func.HttpRequest, expected: str) -> bool:
    given = req.params.get("secret") or req.headers.get("x-webhook-secret") or ""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _too_deep(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether parsed JSON nests deeper than limit (iterative: no recursion on hostile input)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


def _scalar(value: Any, name: str) -> str:
    """A string or number field as text ("" when missing); an object, list or boolean is a 400."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _BadInput("invalid_payload", f"{name} must be a string")
    return str(value)


def _first(payload: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        value = payload.get(key)
        if value not in (None, ""):
            return value
    return None


def _identity_problem(payload: dict[str, Any], product_id: str | None, phone_id: str | None) -> str | None:
    """Why the payload is not for our Maytapi product/phone (None when it is)."""
    if product_id:
        got = _first(payload, "product_id", "productId", "pid")
        if got is None or str(got) != product_id:
            return "product_id does not match"
    if phone_id:
        got = _first(payload, "phone_id", "phoneId")
        # Ack events carry no phone_id; a message must name ours. phone_id is a string or an integer.
        if got is None and payload.get("type") == "message":
            return "phone_id is missing"
        if got is not None and str(got).strip() != phone_id.strip():
            return "phone_id does not match"
    return None


def _sent_at(raw: Any) -> datetime:
    try:
        ts = float(raw)
    except (TypeError, ValueError):
        return datetime.now(UTC)
    if ts > 1e12:  # milliseconds
        ts /= 1000
    try:
        return datetime.fromtimestamp(ts, UTC)
    except (OverflowError, OSError, ValueError):
        return datetime.now(UTC)


def _mask(phone: str) -> str:
    return phone[:-4] + "****" if len(phone) > 6 else "****"


def _message_envelope(payload: dict[str, Any], region: str, allow_groups: bool) -> Envelope | func.HttpResponse:
    """An envelope for a message event, or the response that ends the request (ignored / rejected)."""
    message = payload.get("message")
    if not isinstance(message, dict):
        return _error(400, "invalid_payload", "message must be an object")
    if message.get("fromMe") is True or str(message.get("fromMe")).lower() == "true":
        return _ok("ignored", reason="own message")
    conversation = _scalar(payload.get("conversation"), "conversation")
    if conversation.endswith("@g.us") and not allow_groups:
        return _ok("ignored", reason="group chat")
    user = payload.get("user") if isinstance(payload.get("user"), dict) else {}
    raw_phone = _scalar((user or {}).get("phone"), "user.phone").strip()
    if not raw_phone:
        return _error(400, "missing_sender", "user.phone is blank; the message cannot be attributed")
    sender = to_e164(raw_phone, region)
    if sender is None:
        return _error(400, "invalid_sender", "user.phone is not a valid phone number")
    message_id = _scalar(message.get("id"), "message.id").strip()
    if not message_id:
        return _error(400, "missing_message_id", "message.id is required")
    if len(message_id) > 200:
        return _error(400, "invalid_message_id", "message.id is longer than 200 characters")
    if reason := unclean_reason(message_id):
        return _error(400, "invalid_message_id", f"message.id {reason}")
    mtype = (_scalar(message.get("type"), "message.type") or "text").lower()
    if mtype == "text":
        text = _scalar(message.get("text"), "message.text")
    elif mtype in CAPTIONED_TYPES:
        text = _scalar(message.get("caption"), "message.caption")
    else:
        text = ""
    media_url = media_mime = None
    if mtype in VOICE_TYPES or mtype == "image":
        # Only the link and its declared type travel: nothing is fetched here (the queue function checks the link
        # against MEDIA_URL_HOSTS and downloads it, crm_core.media). A link too long to carry is dropped, and the
        # queue answers that the media could not be read.
        media_url = _scalar(message.get("url"), "message.url").strip() or None
        if media_url is not None and len(media_url) > MAX_MEDIA_URL:
            media_url = None
        media_mime = _scalar(message.get("mime") or message.get("mimetype"), "message.mime").strip() or None
    name = (user or {}).get("name")
    common: dict[str, Any] = {
        "provider": "maytapi",
        "message_id": message_id,
        "sender": sender,
        "sent_at": _sent_at(payload.get("timestamp") or message.get("timestamp")),
        "sender_name": str(name)[:200] if isinstance(name, str | int) and name else None,  # optional: never a 400
        "media_type": mtype[:40],
        "receive_seq": next_receive_seq(),
    }
    if mtype in VOICE_TYPES:
        return Envelope(text="", kind="voice", media_url=media_url, media_mime=media_mime, **common)
    if mtype == "image" and media_url is not None and len(text) <= MAX_TEXT_CHARS:
        return Envelope(text=text, kind="image", media_url=media_url, media_mime=media_mime, **common)
    if not text.strip():
        if mtype == "text":
            return _ok("ignored", reason="empty text")
        return Envelope(text="", kind="unsupported", **common)
    if len(text) > MAX_TEXT_CHARS:
        return Envelope(text="", kind="too_long", **common)
    envelope = Envelope(text=text, kind="text", **common)
    if not envelope.text.strip():  # nothing left once control characters were dropped
        return _ok("ignored", reason="empty text")
    return envelope


def handle_webhook(req: func.HttpRequest) -> func.HttpResponse:
    """Check, normalise and enqueue one Maytapi event; 200 at once (401/400/413/503 when it cannot)."""
    container = get_container()
    settings = container.settings
    if not settings.webhook_secret:
        log.error("WEBHOOK_SECRET is not set; refusing every webhook call")
        return _error(503, "not_configured", "the webhook secret is not configured")
    if not _secret_ok(req, settings.webhook_secret):
        return _error(401, "unauthorized", "missing or wrong webhook secret")
    body = req.get_body() or b""
    if len(body) > MAX_BODY_BYTES:
        return _error(413, "payload_too_large", f"the body is over {MAX_BODY_BYTES // 1024} KB")
    try:
        payload = json.loads(body)
    except RecursionError:
        return _error(400, "invalid_json", f"the body nests more than {MAX_JSON_DEPTH} levels deep")
    except (ValueError, UnicodeDecodeError):
        return _error(400, "invalid_json", "the body is not valid JSON")
    if not isinstance(payload, dict):
        return _error(400, "invalid_payload", "the body must be a JSON object")
    if _too_deep(payload):
        return _error(400, "invalid_json", f"the body nests more than {MAX_JSON_DEPTH} levels deep")

    problem = _identity_problem(payload, settings.maytapi_product_id, settings.maytapi_phone_id)
    if problem:
        log.warning("webhook rejected: %s", problem)
        return _error(403, "wrong_account", problem)

    event = str(payload.get("type") or "")
    if event in IGNORED_EVENTS:
        if event == "status" and str(payload.get("status")) in PHONE_PROBLEM_STATES:
            log.warning("Maytapi phone %s is %s: messages cannot be sent", payload.get("phone_id"), payload["status"])
        elif event == "error":
            log.warning("Maytapi reported an error event: %s", str(payload)[:500])
        return _ok("acknowledged", event=event)
    if event != "message":
        return _ok("ignored", reason=f"event type {event or 'missing'!r}")

    try:
        result = _message_envelope(payload, settings.default_region, settings.allow_group_chats)
    except _BadInput as exc:
        return _error(400, exc.code, exc.message)
    except ValidationError as exc:  # the envelope's own rules
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "payload"
        return _error(400, "invalid_payload", f"{where}: {first.get('msg', 'invalid')}")
    except (ValueError, TypeError, OverflowError) as exc:
        return _error(400, "invalid_payload", str(exc).splitlines()[0][:200] or "the payload is invalid")
    if isinstance(result, func.HttpResponse):
        return result
    try:
        container.queue.send(result.to_json())
    except Exception:
        log.exception("could not enqueue message %s from %s", result.message_id, _mask(result.sender))
        return _error(503, "queue_unavailable", "the message could not be queued; try again")
    log.info("queued %s message %s from %s", result.kind, result.message_id, _mask(result.sender))
    return _ok("queued", message_id=result.message_id)
