"""MaytapiChannel against the fake Maytapi server; the console channel; channel selection."""

from __future__ import annotations

import io
import socket

import pytest

from crm_core.delivery.channels import ConsoleChannel, MaytapiChannel, build_whatsapp_channel, maytapi_payload
from crm_core.ports import OutgoingMessage, SendError
from crm_core.settings import load_settings
from tests.fakes.maytapi_server import MaytapiFake


@pytest.fixture
def fake():
    with MaytapiFake() as server:
        yield server


def test_text_message_is_posted_without_plus_and_msg_id_parsed(fake):
    channel = MaytapiChannel(fake.send_url, fake.token, timeout_seconds=5)
    result = channel.send(OutgoingMessage(to="+919876543210", text="Lead created ✅"))
    assert result.provider_message_id
    assert fake.received == [
        {"to_number": "919876543210", "type": "text", "message": "Lead created ✅", "skip_filter": True}
    ]


def test_media_message_carries_url_caption_and_filename(fake):
    channel = MaytapiChannel(fake.send_url, fake.token, timeout_seconds=5)
    channel.send(
        OutgoingMessage(
            to="+919876543210",
            text="Our brochure",
            attachment_url="https://example.com/b.pdf",
            attachment_filename="brochure.pdf",
        )
    )
    body = fake.received[0]
    assert body["type"] == "media"
    assert body["message"] == "https://example.com/b.pdf"
    assert body["text"] == "Our brochure"
    assert body["filename"] == "brochure.pdf"


def test_wrong_key_is_a_permanent_error(fake):
    channel = MaytapiChannel(fake.send_url, "wrong-key", timeout_seconds=5)
    with pytest.raises(SendError) as err:
        channel.send(OutgoingMessage(to="+919876543210", text="hi"))
    assert err.value.permanent is True
    assert "401" in str(err.value)
    assert fake.received == []


def test_server_error_is_retryable_and_then_succeeds(fake):
    channel = MaytapiChannel(fake.send_url, fake.token, timeout_seconds=5)
    fake.fail(1, status=503)
    with pytest.raises(SendError) as err:
        channel.send(OutgoingMessage(to="+919876543210", text="hi"))
    assert err.value.permanent is False
    channel.send(OutgoingMessage(to="+919876543210", text="hi"))
    assert len(fake.received) == 1


def test_client_error_is_permanent(fake):
    channel = MaytapiChannel(fake.send_url, fake.token, timeout_seconds=5)
    fake.fail(1, status=400)
    with pytest.raises(SendError) as err:
        channel.send(OutgoingMessage(to="+919876543210", text="hi"))
    assert err.value.permanent is True


def test_too_many_requests_is_retryable(fake):
    channel = MaytapiChannel(fake.send_url, fake.token, timeout_seconds=5)
    fake.fail(1, status=429)
    with pytest.raises(SendError) as err:
        channel.send(OutgoingMessage(to="+919876543210", text="hi"))
    assert err.value.permanent is False


def test_success_false_is_permanent_unless_it_looks_transient(fake):
    channel = MaytapiChannel(fake.send_url, fake.token, timeout_seconds=5)
    fake.refuse(1, "Invalid phone number")
    with pytest.raises(SendError) as err:
        channel.send(OutgoingMessage(to="+919876543210", text="hi"))
    assert err.value.permanent is True
    assert "Invalid phone number" in str(err.value)
    fake.refuse(1, "Phone is not active, please try again")
    with pytest.raises(SendError) as err2:
        channel.send(OutgoingMessage(to="+919876543210", text="hi"))
    assert err2.value.permanent is False


def test_connection_refused_is_retryable():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    channel = MaytapiChannel(f"http://127.0.0.1:{port}/api/p/1/sendMessage", "t", timeout_seconds=2)
    with pytest.raises(SendError) as err:
        channel.send(OutgoingMessage(to="+919876543210", text="hi"))
    assert err.value.permanent is False


def test_read_timeout_is_retryable():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)  # accepts the connection but never answers
    try:
        port = server.getsockname()[1]
        channel = MaytapiChannel(f"http://127.0.0.1:{port}/x", "t", timeout_seconds=0.3)
        with pytest.raises(SendError) as err:
            channel.send(OutgoingMessage(to="+919876543210", text="hi"))
        assert err.value.permanent is False
        assert "timed out" in str(err.value)
    finally:
        server.close()


def test_group_recipient_passes_through():
    body = maytapi_payload(OutgoingMessage(to="1203630@g.us", text="x"))
    assert body["to_number"] == "1203630@g.us"


def test_console_channel_prints_one_block_per_message():
    out = io.StringIO()
    channel = ConsoleChannel(out)
    channel.send(OutgoingMessage(to="+919876543210", text="Hello there", outbox_id=7))
    channel.send(
        OutgoingMessage(
            to="+919876543210", text="File", attachment_url="https://e.com/a.pdf", attachment_filename="a.pdf"
        )
    )
    text = out.getvalue()
    assert text.count("WhatsApp → +919876543210") == 2
    assert "(outbox #7)" in text
    assert "Hello there" in text
    assert "[attachment: a.pdf <https://e.com/a.pdf>]" in text


def test_build_channel_follows_settings():
    console = load_settings(CHANNEL="console", MAYT_API_URL="https://x.example/api", MAYT_API_TOKEN="t")
    assert isinstance(build_whatsapp_channel(console), ConsoleChannel)
    auto = load_settings(MAYT_API_URL="https://x.example/api/p/1/sendMessage", MAYT_API_TOKEN="t")
    channel = build_whatsapp_channel(auto)
    assert isinstance(channel, MaytapiChannel)
    assert channel.url == "https://x.example/api/p/1/sendMessage"
    assert isinstance(build_whatsapp_channel(load_settings()), ConsoleChannel)
