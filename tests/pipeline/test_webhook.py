"""POST /api/webhook: every rule, with a recording queue (no SQL touched)."""

from __future__ import annotations

import json
import logging
from typing import Any

import azure.functions as func
import pytest

from crm_core.composition import Container, set_container
from crm_core.envelope import Envelope
from crm_core.pipeline.webhook import handle_webhook
from crm_core.settings import load_settings

SECRET = "test-webhook-secret"


class RecordingQueue:
    """An InboundQueue that keeps what it was given."""

    def __init__(self, fail: bool = False) -> None:
        self.bodies: list[str] = []
        self.fail = fail

    def send(self, body: str, *, delay_seconds: int = 0) -> None:
        if self.fail:
            raise ConnectionError("queue down")
        self.bodies.append(body)

    @property
    def envelopes(self) -> list[Envelope]:
        return [Envelope.from_json(b) for b in self.bodies]


class NoDatabase:
    """Fails the test if the webhook touches the database."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError("the webhook must not touch SQL")


@pytest.fixture
def queue() -> RecordingQueue:
    return RecordingQueue()


def _wire(queue: RecordingQueue, **overrides: Any) -> Container:
    values: dict[str, Any] = {"WEBHOOK_SECRET": SECRET, "CHANNEL": "console", "QUEUE_BACKEND": "memory"}
    values.update(overrides)
    container = Container(load_settings(**values), database=NoDatabase(), queue=queue)  # type: ignore[arg-type]
    set_container(container)
    return container


@pytest.fixture(autouse=True)
def wired(queue: RecordingQueue) -> Container:
    return _wire(queue)


def payload(**changes: Any) -> dict[str, Any]:
    """A Maytapi text message event (the reference sample)."""
    body: dict[str, Any] = {
        "product_id": "dc01968f-0000-0000-0000-7cfcf51aa423",
        "phone_id": "12",
        "message": {"id": "3EB081AF26FADE6416D8", "type": "text", "text": "New lead: Sharma Traders", "fromMe": False},
        "user": {"id": "919876543210@c.us", "name": "Ravi", "phone": "919876543210"},
        "conversation": "919876543210@c.us",
        "receiver": "919811122334",
        "timestamp": 1795500000,
        "type": "message",
    }
    for key, value in changes.items():
        if key == "message":
            body["message"] = {**body["message"], **value}
        else:
            body[key] = value
    return body


def post(
    body: Any, *, secret: str | None = SECRET, header: bool = False, raw: bytes | None = None
) -> func.HttpResponse:
    params = {"secret": secret} if secret is not None and not header else {}
    headers = {"Content-Type": "application/json"}
    if header and secret is not None:
        headers["X-Webhook-Secret"] = secret
    data = raw if raw is not None else json.dumps(body).encode()
    req = func.HttpRequest("POST", "http://localhost/api/webhook", headers=headers, params=params, body=data)
    return handle_webhook(req)


def body_of(resp: func.HttpResponse) -> dict[str, Any]:
    return json.loads(resp.get_body())


def test_text_message_becomes_one_envelope(queue):
    resp = post(payload())
    assert resp.status_code == 200
    assert body_of(resp) == {"ok": True, "status": "queued", "message_id": "3EB081AF26FADE6416D8"}
    (env,) = queue.envelopes
    assert env.provider == "maytapi"
    assert env.message_id == "3EB081AF26FADE6416D8"
    assert env.sender == "+919876543210"
    assert env.text == "New lead: Sharma Traders"
    assert env.kind == "text"
    assert env.sender_name == "Ravi"
    assert int(env.sent_at.timestamp()) == 1795500000


def test_secret_in_header_is_accepted(queue):
    assert post(payload(), header=True).status_code == 200
    assert len(queue.bodies) == 1


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x"])
def test_missing_or_wrong_secret_is_401(queue, secret):
    resp = post(payload(), secret=secret)
    assert resp.status_code == 401
    assert body_of(resp)["error"]["code"] == "unauthorized"
    assert queue.bodies == []


def test_unconfigured_secret_refuses_everything(queue):
    _wire(queue, WEBHOOK_SECRET="")
    resp = post(payload())
    assert resp.status_code == 503
    assert queue.bodies == []


def test_body_over_64_kb_is_413(queue):
    big = payload(message={"text": "x" * (65 * 1024)})
    resp = post(big)
    assert resp.status_code == 413
    assert body_of(resp)["error"]["code"] == "payload_too_large"
    assert queue.bodies == []


@pytest.mark.parametrize("raw", [b"{not json", b"", b"\xff\xfe", b"[1,2]", b'"text"'])
def test_malformed_json_is_400_with_a_json_error(queue, raw):
    resp = post(None, raw=raw)
    assert resp.status_code == 400
    err = body_of(resp)["error"]
    assert err["code"] in {"invalid_json", "invalid_payload"} and err["message"]
    assert queue.bodies == []


def test_product_and_phone_ids_are_checked_when_configured(queue):
    _wire(queue, MAYTAPI_PRODUCT_ID="dc01968f-0000-0000-0000-7cfcf51aa423", MAYTAPI_PHONE_ID="12")
    assert post(payload()).status_code == 200
    assert post(payload(phone_id=12)).status_code == 200  # an integer in real traffic
    camel = payload()
    del camel["product_id"], camel["phone_id"]
    camel.update(productId="dc01968f-0000-0000-0000-7cfcf51aa423", phoneId=12)
    assert post(camel).status_code == 200
    assert post(payload(product_id="someone-else")).status_code == 403
    assert post(payload(phone_id="13")).status_code == 403
    no_phone = payload()
    del no_phone["phone_id"]
    assert post(no_phone).status_code == 403
    assert len(queue.bodies) == 3


def test_ids_are_not_checked_when_not_configured(queue):
    assert post(payload(product_id="anything", phone_id=99)).status_code == 200


def test_own_echo_is_dropped(queue):
    resp = post(payload(message={"fromMe": True}))
    assert resp.status_code == 200
    assert body_of(resp)["status"] == "ignored"
    assert queue.bodies == []


def test_ack_is_acknowledged_without_enqueueing(queue):
    ack = {"type": "ack", "product_id": "p", "data": [{"ackType": "delivered", "ackCode": 1, "msgId": "x"}]}
    resp = post(ack)
    assert resp.status_code == 200
    assert body_of(resp)["status"] == "acknowledged"
    assert queue.bodies == []


@pytest.mark.parametrize("state", ["qr-code", "idle", "phone-error"])
def test_phone_problem_status_is_logged_as_warning(queue, caplog, state):
    caplog.set_level(logging.INFO)
    resp = post({"type": "status", "pid": "p", "phone_id": "12", "status": state})
    assert resp.status_code == 200
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and state in r.getMessage()]
    assert len(warnings) == 1
    assert queue.bodies == []


def test_active_status_is_not_a_warning(queue, caplog):
    caplog.set_level(logging.INFO)
    assert post({"type": "status", "phone_id": "12", "status": "active"}).status_code == 200
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_group_chat_is_ignored_unless_enabled(queue):
    group = payload(conversation="120363025@g.us", conversation_name="Sales team")
    assert body_of(post(group))["status"] == "ignored"
    assert queue.bodies == []
    _wire(queue, ALLOW_GROUP_CHATS="true")
    assert body_of(post(group))["status"] == "queued"
    assert queue.envelopes[0].sender == "+919876543210"


@pytest.mark.parametrize("phone", ["", "   ", None])
def test_blank_sender_is_400(queue, phone):
    resp = post(payload(user={"id": "", "name": "x", "phone": phone}))
    assert resp.status_code == 400
    assert body_of(resp)["error"]["code"] == "missing_sender"
    assert queue.bodies == []


def test_invalid_sender_number_is_400(queue):
    assert post(payload(user={"phone": "12"})).status_code == 400


def test_missing_message_id_is_400(queue):
    assert post(payload(message={"id": ""})).status_code == 400
    assert queue.bodies == []


def test_caption_of_a_document_is_the_text(queue):
    media = {"type": "document", "url": "https://x/y", "caption": "Demo done for Sharma Traders", "text": None}
    assert post(payload(message=media)).status_code == 200
    (env,) = queue.envelopes
    assert (env.kind, env.text, env.media_url) == ("text", "Demo done for Sharma Traders", None)


def test_a_photo_travels_with_its_caption_link_and_type_and_nothing_is_fetched(queue):
    media = {"type": "image", "url": "https://cdnydm.com/wh/a.jpg", "mime": "image/jpeg", "caption": "card, Neha ko"}
    assert post(payload(message=media)).status_code == 200
    (env,) = queue.envelopes
    assert (env.kind, env.text, env.media_type) == ("image", "card, Neha ko", "image")
    assert (env.media_url, env.media_mime) == ("https://cdnydm.com/wh/a.jpg", "image/jpeg")


def test_a_photo_without_caption_is_queued_as_a_card_to_read(queue):
    post(payload(message={"type": "image", "url": "https://cdnydm.com/x.jpg", "caption": ""}))
    (env,) = queue.envelopes
    assert (env.kind, env.text, env.media_url) == ("image", "", "https://cdnydm.com/x.jpg")


def test_a_photo_without_a_link_is_its_caption_or_unsupported(queue):
    post(payload(message={"type": "image", "caption": "Demo done for Sharma Traders"}))
    post(payload(message={"id": "m-2", "type": "image", "caption": ""}))
    assert [(e.kind, e.text) for e in queue.envelopes] == [("text", "Demo done for Sharma Traders"), ("unsupported", "")]


@pytest.mark.parametrize("mtype", ["ptt", "audio"])
def test_voice_note_is_queued_with_its_link_for_the_queue_function(queue, mtype):
    message = {"type": mtype, "url": "https://cdnydm.com/wh_new/v.oga", "mime": "audio/ogg; codecs=opus"}
    resp = post(payload(message={**message, "text": None}))
    assert resp.status_code == 200 and body_of(resp)["status"] == "queued"
    (env,) = queue.envelopes
    assert (env.kind, env.media_type, env.text) == ("voice", mtype, "")
    assert (env.media_url, env.media_mime) == ("https://cdnydm.com/wh_new/v.oga", "audio/ogg; codecs=opus")


@pytest.mark.parametrize(
    "url", ["x" * 3000, "http://cdnydm.com/a\x00b", "http://cdnydm.com/a b", None]
)
def test_a_voice_note_with_an_unusable_link_is_still_queued_without_it(queue, url):
    assert post(payload(message={"type": "ptt", "url": url})).status_code == 200
    (env,) = queue.envelopes
    assert (env.kind, env.media_url) == ("voice", None)  # the queue function answers that it cannot be opened


def test_a_media_link_of_the_wrong_json_type_is_400(queue):
    assert post(payload(message={"type": "ptt", "url": {"href": "http://x"}})).status_code == 400
    assert queue.bodies == []


@pytest.mark.parametrize("mtype", ["video", "sticker", "location", "vcard"])
def test_other_media_asks_to_type_it(queue, mtype):
    resp = post(payload(message={"type": mtype, "url": "https://x/y", "text": None}))
    assert resp.status_code == 200
    (env,) = queue.envelopes
    assert env.kind == "unsupported"
    assert env.media_type == mtype
    assert env.text == ""


def test_empty_text_is_ignored(queue):
    assert body_of(post(payload(message={"text": "  "})))["status"] == "ignored"
    assert queue.bodies == []


def test_over_long_text_is_answered_not_parsed(queue):
    post(payload(message={"text": "y" * 9000}))
    (env,) = queue.envelopes
    assert env.kind == "too_long" and env.text == ""


def test_other_events_are_ignored(queue):
    assert body_of(post({"type": "live_event", "phone_id": "12"}))["status"] == "acknowledged"
    assert body_of(post({"type": "something_new"}))["status"] == "ignored"
    assert queue.bodies == []


def test_queue_failure_is_503_so_the_sender_can_retry():
    _wire(RecordingQueue(fail=True))
    resp = post(payload())
    assert resp.status_code == 503
    assert body_of(resp)["error"]["code"] == "queue_unavailable"


def test_timestamp_in_milliseconds_and_missing_timestamp(queue):
    post(payload(timestamp=1795500000123))
    assert int(queue.envelopes[0].sent_at.timestamp()) == 1795500000
    post(payload(timestamp=None, message={"id": "other"}))
    assert queue.envelopes[1].sent_at.tzinfo is not None


def test_webhook_module_import_is_light():
    import subprocess
    import sys

    code = (
        "import sys; import crm_core.pipeline.webhook; "
        "bad = [m for m in ('requests', 'sqlalchemy', 'openai') if m in sys.modules]; print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
