"""Hostile or unusable media links through the queue function: a clear reply, nothing fetched from anywhere but
the allowed host, no model called, the message recorded with why."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakes.media_files import tiny_png, tiny_wav
from tests.media.conftest import PRIYA, last_row, llm_calls, photo_body, rewire, send, voice_body

KINDS = ["voice", "image"]
NOT_ALLOWED = "its link is not one I may open"


def body_for(kind: str, clock: Any, url: str | None, mime: str | None = None) -> str:
    if kind == "voice":
        return voice_body(clock, url, mime=mime or "audio/wav")
    return photo_body(clock, url, mime=mime or "image/png")


def what(kind: str) -> str:
    return "voice note" if kind == "voice" else "photo"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "link",
    [
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_FLUSHALL",
        "hostile",
        "localhost",
        "credentials",
    ],
)
def test_a_hostile_link_is_refused_and_nothing_is_fetched(
    wired, database, clock, fake_channel, ai, media, hostile, kind, link
):
    hostile.serve("/x", tiny_wav() if kind == "voice" else tiny_png(), "application/octet-stream")
    url = {
        "hostile": hostile.url("/x"),
        "localhost": f"http://localhost:{media.port}/x",
        "credentials": f"http://admin:admin@{media.host}/x",
    }.get(link, link)
    send(body_for(kind, clock, url))
    (reply,) = fake_channel.sent[PRIYA]
    assert (
        reply
        == f"Sorry, I can't open that {what(kind)}: {NOT_ALLOWED}. Please send it again from WhatsApp, or type it."
    )
    assert hostile.requests == [] and media.requests == []
    assert ai.calls == 0 and ai.audio_calls == 0 and llm_calls(database) == []
    row = last_row(database)
    assert (row.status, row.intent) == ("done", f"{kind}_refused")
    assert row.media is not None and row.media["status"] == "refused" and row.media["url"] == url


@pytest.mark.parametrize("kind", KINDS)
def test_a_redirect_to_another_host_is_refused_and_that_host_never_reached(
    wired, database, clock, fake_channel, ai, media, hostile, kind
):
    hostile.serve("/x", tiny_wav(), "audio/wav")
    send(body_for(kind, clock, media.redirect("/r", hostile.url("/x"))))
    assert media.requests == ["/r"] and hostile.requests == []
    assert fake_channel.sent[PRIYA] == [
        f"Sorry, I can't open that {what(kind)}: {NOT_ALLOWED}. Please send it again from WhatsApp, or type it."
    ]
    assert ai.calls == 0 and ai.audio_calls == 0
    assert last_row(database).media["reason"] == "host"  # type: ignore[index]


@pytest.mark.parametrize("kind", KINDS)
def test_an_oversized_file_is_refused_while_downloading(wired, database, clock, fake_channel, ai, media, kind):
    rewire(wired, media_max_bytes=64 * 1024)
    body = tiny_wav() if kind == "voice" else tiny_png()
    url = media.serve("/big", body, "application/octet-stream", stream=100_000 // len(body) + 20)
    send(body_for(kind, clock, url))
    assert fake_channel.sent[PRIYA] == [
        f"Sorry, I can't open that {what(kind)}: it is larger than 64 KB. Please send it again from WhatsApp, or type it."
    ]
    assert ai.calls == 0 and ai.audio_calls == 0
    assert last_row(database).media["reason"] == "too_large"  # type: ignore[index]


@pytest.mark.parametrize(
    ("kind", "declared", "reply"),
    [
        ("voice", "video/mp4", "it is not a voice recording"),
        ("voice", "application/pdf", "it is not a voice recording"),
        ("image", "application/pdf", "it is not a photo"),
        ("image", "text/html", "it is not a photo"),
    ],
)
def test_a_declared_type_other_than_audio_or_image_is_refused_without_fetching(
    wired, database, clock, fake_channel, ai, media, kind, declared, reply
):
    url = media.serve("/f", b"%PDF-1.4", declared)
    send(body_for(kind, clock, url, declared))
    assert media.requests == [] and reply in fake_channel.sent[PRIYA][0]


@pytest.mark.parametrize("kind", KINDS)
def test_a_file_that_turns_out_not_to_be_audio_or_an_image_is_refused(
    wired, database, clock, fake_channel, ai, media, kind
):
    url = media.serve("/f", b"<html><script>alert(1)</script></html>", "text/html")
    send(body_for(kind, clock, url))
    assert media.count("/f") == 1 and ai.calls == 0 and ai.audio_calls == 0
    assert ("not a voice recording" if kind == "voice" else "not a photo") in fake_channel.sent[PRIYA][0]


@pytest.mark.parametrize("kind", KINDS)
def test_an_expired_link_asks_to_send_it_again(wired, database, clock, fake_channel, ai, media, kind):
    send(body_for(kind, clock, media.url("/expired")))
    assert fake_channel.sent[PRIYA] == [
        f"Sorry, I couldn't download that {what(kind)} any more (its link has expired). Please send it again."
    ]
    assert last_row(database).intent == f"{kind}_gone"


@pytest.mark.parametrize("kind", KINDS)
def test_a_media_message_without_its_link_is_answered(wired, database, clock, fake_channel, ai, media, kind):
    send(body_for(kind, clock, None))
    assert fake_channel.sent[PRIYA] == [
        f"Sorry, I can't open that {what(kind)}: it arrived without its file. Please send it again from WhatsApp, or type it."
    ]
