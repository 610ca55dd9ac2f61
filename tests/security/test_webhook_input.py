"""Every webhook input error is a clean 4xx with a JSON error, never a 500; what is acknowledged can always be
recorded, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import azure.functions as func
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

import crm_core.pipeline.process as process
from crm_core.composition import Container, set_container
from crm_core.envelope import Envelope
from crm_core.pipeline.process import process_queue_message
from crm_core.pipeline.webhook import handle_webhook
from crm_core.settings import load_settings
from tests.delivery.helpers import add_user
from tests.pipeline.support import FakeQueue, FakeRespond, inbound

SECRET = "test-webhook-secret"


def maytapi(**message: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "message",
        "message": {"id": "wamid-1", "type": "text", "text": "New lead: Sharma Traders", "fromMe": False},
        "user": {"id": "919876543210@c.us", "name": "Ravi", "phone": "919876543210"},
        "conversation": "919876543210@c.us",
        "timestamp": 1795500000,
    }
    body["message"].update(message)
    return body


def post_raw(raw: bytes) -> func.HttpResponse:
    req = func.HttpRequest(
        "POST",
        "http://localhost/api/webhook",
        headers={"Content-Type": "application/json"},
        params={"secret": SECRET},
        body=raw,
    )
    return handle_webhook(req)


def post(body: Any) -> func.HttpResponse:
    return post_raw(json.dumps(body).encode())


def error_of(resp: func.HttpResponse) -> str:
    return json.loads(resp.get_body())["error"]["code"]


@pytest.fixture
def queue() -> FakeQueue:
    return FakeQueue()


@pytest.fixture
def wired(queue) -> Container:
    """The webhook alone (the queue records what it was given)."""
    settings = load_settings(WEBHOOK_SECRET=SECRET, CHANNEL="console", QUEUE_BACKEND="memory")
    container = Container(settings, queue=queue)  # type: ignore[arg-type]
    set_container(container)
    return container


@pytest.fixture
def respond(monkeypatch) -> FakeRespond:
    fake = FakeRespond()
    monkeypatch.setattr(process, "_respond", fake)
    return fake


def _pipeline(settings, database, clock, fake_channel, queue) -> Container:
    container = Container(settings, database=database, clock=clock, whatsapp=fake_channel, queue=queue, parser=object())  # type: ignore[arg-type]
    set_container(container)
    return container


def _deliver_all(queue: FakeQueue) -> None:
    bodies = [body for body, _ in queue.sent]
    queue.sent.clear()
    for body in bodies:
        process_queue_message(body)


# --- JSON nested deeply ---------------------------------------------------------------------------------------


def _nested(depth: int, leaf: str = "1") -> str:
    return "[" * depth + leaf + "]" * depth


@pytest.mark.parametrize("depth", [17, 999, 1_000, 5_000, 10_000, 30_000])
def test_json_nested_deeply_is_400(wired, queue, depth) -> None:
    whole = post_raw(_nested(depth).encode())
    inside_text = post_raw(json.dumps(maytapi()).replace('"New lead: Sharma Traders"', _nested(depth, '"x"')).encode())
    objects = min(depth, 10_000)  # 5 bytes a level: deeper would be over the 64 KB limit (a 413)
    inside_object = post_raw(('{"type":"message","message":' + '{"a":' * objects + "1" + "}" * objects + "}").encode())
    for resp in (whole, inside_text, inside_object):
        assert resp.status_code == 400, resp.get_body()[:200]
        assert error_of(resp) in {"invalid_json", "invalid_payload"}
    assert queue.sent == []


# --- fields of the wrong type, and anything else --------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8,
)
FIELDS = [
    ("message", "id"),
    ("message", "text"),
    ("message", "type"),
    ("message", "caption"),
    ("message", "fromMe"),
    ("message", "timestamp"),
    ("user", "phone"),
    ("user", "name"),
    ("user",),
    ("message",),
    ("conversation",),
    ("timestamp",),
    ("type",),
    ("phone_id",),
    ("product_id",),
]


@pytest.mark.parametrize("where", FIELDS, ids=".".join)
@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=JSON_VALUES)
def test_any_value_in_any_field_is_answered_never_a_500(wired, where, value) -> None:
    body = maytapi()
    target = body
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    resp = post(body)  # an exception here is what the host turns into a 500
    assert resp.status_code in (200, 400, 403), resp.get_body()[:300]
    assert json.loads(resp.get_body())  # always a JSON answer


@pytest.mark.parametrize(
    "raw",
    [
        b"\xff\xfe\xfa not utf-8",
        b'{"type": "message", "message": {"id": "\xc3\x28"}}',
        b'{"timestamp": 1' + b"0" * 5000 + b"}",
        b'{"timestamp": NaN, "type": "message"}',
        b"",
        b"null",
    ],
)
def test_bytes_that_are_not_usable_json_are_400(wired, queue, raw) -> None:
    resp = post_raw(raw)
    assert resp.status_code == 400 and error_of(resp) in {"invalid_json", "invalid_payload"}
    assert queue.sent == []


def test_a_message_id_with_control_characters_or_a_lone_surrogate_is_400(wired, queue) -> None:
    for bad in ("wamid\u0000-1", "wamid\ud83d", "wamid\u001b[31m"):
        resp = post(maytapi(id=bad))
        assert resp.status_code == 400 and error_of(resp) == "invalid_message_id", bad
    assert queue.sent == []


# --- NUL and lone surrogates are cleaned, and the message can be recorded anywhere ----------------------------

DIRTY = "New lead: Sharma\u0000 Traders\ud83d"  # a NUL and half of an emoji (a lone surrogate)
DIRTY_RAW = json.dumps(maytapi(text=DIRTY)).encode()  # json.dumps writes \u0000 and \ud83d escapes


def test_nul_and_lone_surrogates_are_cleaned_at_the_webhook(wired, queue) -> None:
    body = maytapi(text=DIRTY)
    body["user"]["name"] = "Ravi\ud800\u0000"
    resp = post(body)
    assert resp.status_code == 200, resp.get_body()
    ((queued, _),) = queue.sent
    env = Envelope.from_json(queued)
    assert env.text == "New lead: Sharma Traders\ufffd"
    assert env.sender_name == "Ravi\ufffd"
    queued.encode("utf-8")  # the queue's body is valid UTF-8


def test_a_message_of_only_control_characters_is_ignored_like_an_empty_one(wired, queue) -> None:
    resp = post(maytapi(text="\u0000\u0007 \u0000"))
    assert resp.status_code == 200 and json.loads(resp.get_body())["status"] == "ignored"
    assert queue.sent == []


def _cleaned_message_is_recorded_and_applied(container: Container, queue: FakeQueue, database, respond) -> None:
    resp = post_raw(DIRTY_RAW)
    assert resp.status_code == 200, resp.get_body()
    _deliver_all(queue)
    (row,) = inbound(database)
    assert row.status == "done" and row.text == "New lead: Sharma Traders\ufffd"
    assert respond.calls == ["New lead: Sharma Traders\ufffd"]


def test_a_cleaned_message_is_recorded_on_sqlite(settings, db, clock, fake_channel, queue, respond) -> None:
    add_user(db)
    container = _pipeline(settings, db, clock, fake_channel, queue)
    _cleaned_message_is_recorded_and_applied(container, queue, db, respond)


@pytest.mark.postgres
def test_a_cleaned_message_is_recorded_on_postgres(settings, pg_db, clock, fake_channel, queue, respond) -> None:
    add_user(pg_db)
    container = _pipeline(settings, pg_db, clock, fake_channel, queue)
    _cleaned_message_is_recorded_and_applied(container, queue, pg_db, respond)
