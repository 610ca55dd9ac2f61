"""Visiting cards through the queue function: GPT-4o reads the photo into a new_lead command, validated like any
parse; the normal new-lead flow runs (duplicate check, owner from the caption or the sender, the echo of what was
read, the owner told); several numbers → the mobile first, the others in a note. Captions that are commands of
their own, photos that are not cards, no AI service, failures and retries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from crm_core.db.models import Activity, User
from crm_core.errors import TransientError
from tests.fakes.openai_server import command_json
from tests.media.conftest import NEHA, PNG, PRIYA, last_row, leads, llm_calls, photo_body, send
from tests.pipeline.support import envelope

ADDRESS = {
    "address": "Shop 4, Laxmi Road, Pune 411030",
    "turnover": None,
    "current_system": None,
    "challenges": None,
    "industry": None,
    "team_size": None,
}


def card(**fields: object) -> str:
    """The model's answer for a visiting card of Kulkarni Hardware."""
    base: dict[str, object] = {
        "company": "Kulkarni Hardware",
        "contact_name": "Suresh Kulkarni",
        "phone": "98220 44556",
        "email": "suresh@kulkarnihardware.in",
        "details": ADDRESS,
    }
    base.update(fields)
    return command_json("new_lead", **base)


def owner_of(database, lead) -> str:  # type: ignore[no-untyped-def]
    with database.sessions() as session:
        return str(session.scalar(select(User.username).where(User.id == lead.owner_id)))


def notes(database) -> list[str]:  # type: ignore[no-untyped-def]
    with database.sessions() as session:
        return list(session.scalars(select(Activity.text).where(Activity.kind == "note").order_by(Activity.id)))


def test_a_card_photo_creates_the_lead_with_its_phone_and_email_for_the_captions_owner(
    wired, database, clock, fake_channel, ai, media
):
    ai.reply(card(assignee="Neha", note="Designation: Proprietor. Other numbers: 020 2445 6677"))
    send(photo_body(clock, media.serve("/wh_new/card.png", PNG, "image/png"), "card, Neha ko assign karo"))

    (lead,) = leads(database)
    assert (lead.company, lead.contact_name) == ("Kulkarni Hardware", "Suresh Kulkarni")
    assert (lead.phone, lead.email) == ("+919822044556", "suresh@kulkarnihardware.in")
    assert lead.address == "Shop 4, Laxmi Road, Pune 411030" and lead.source == "Visiting card"
    assert owner_of(database, lead) == "neha"
    first = fake_channel.sent[PRIYA][0]
    assert first.startswith("🪪 Read from the card:\n🏢 Kulkarni Hardware\n👤 Suresh Kulkarni\n📞 +91 98220 44556")
    assert "✉️ suresh@kulkarnihardware.in" in first and "📍 Shop 4, Laxmi Road" in first
    assert "Designation: Proprietor. Other numbers: +91 20 2445 6677" in first
    assert "Kulkarni Hardware" in first.split("\n\n", 1)[1]  # then the usual confirmation
    assert any("Kulkarni Hardware" in text for text in fake_channel.sent[NEHA])  # the owner is told
    assert notes(database) == ["From the visiting card: Designation: Proprietor. Other numbers: +91 20 2445 6677"]
    # One download, one vision call with the image; no transcription, no text parse.
    assert media.count("/wh_new/card.png") == 1 and ai.calls == 1 and ai.audio_calls == 0
    assert ai.requests[0].images and ai.requests[0].user == "Caption: card, Neha ko assign karo"
    row = last_row(database)
    assert (row.intent, row.lead_id, row.text) == ("new_lead", lead.id, "card, Neha ko assign karo")
    assert row.media is not None and row.media["status"] == "card" and row.media["bytes"] == len(PNG)
    assert row.media["read"]["command"]["company"] == "Kulkarni Hardware"
    (call,) = llm_calls(database)
    assert (call.model, call.outcome, call.prompt_tokens) == ("gpt-4o", "card", 321)


def test_a_card_without_caption_belongs_to_the_sender(wired, database, clock, fake_channel, ai, media):
    ai.reply(card())
    send(photo_body(clock, media.serve("/c.png", PNG, "image/png")))
    (lead,) = leads(database)
    assert owner_of(database, lead) == "priya" and lead.phone == "+919822044556"
    assert ai.requests[0].user == "(no caption)" and notes(database) == []
    assert fake_channel.sent[NEHA] == []


def test_a_card_of_an_existing_lead_asks_about_the_duplicate_and_yes_keeps_the_note(
    wired, database, clock, fake_channel, ai, media
):
    send(envelope("New lead: Kulkarni Hardware, Suresh, 9822044556", "t1", clock.now(), sender=PRIYA))
    ai.reply(card(note="Other numbers: 020 2445 6677"))
    send(photo_body(clock, media.serve("/c.png", PNG, "image/png")))
    assert len(leads(database)) == 1
    question, later = fake_channel.sent[PRIYA][1:]
    assert question.startswith("🪪 Read from the card:") and "already exists (same phone)" in question
    assert "Other numbers: +91 20 2445 6677" in later  # the note waits for the answer
    clock.advance(timedelta(seconds=5))
    send(envelope("haan", "t2", clock.now(), sender=PRIYA))
    assert len(leads(database)) == 2
    assert notes(database) == ["From the visiting card: Other numbers: +91 20 2445 6677"]


def test_an_owner_the_team_does_not_have_is_asked_about(wired, database, clock, fake_channel, ai, media):
    ai.reply(card(assignee="Rohan"))
    send(photo_body(clock, media.serve("/c.png", PNG, "image/png"), "card for Rohan"))
    assert leads(database) == []
    (reply,) = fake_channel.sent[PRIYA]
    assert reply.startswith("🪪 Read from the card:") and "Rohan" in reply and "?" in reply


def test_a_photo_whose_caption_is_a_command_is_that_command_and_is_not_read(
    wired, database, clock, fake_channel, ai, media
):
    send(envelope("New lead: Desai Pharma, Hetal, 9824055667", "t1", clock.now(), sender=PRIYA))
    send(photo_body(clock, media.serve("/demo.png", PNG, "image/png"), "Demo done for Desai Pharma, they liked it"))
    (lead,) = leads(database)
    assert lead.status == "demo_done"
    assert media.requests == [] and ai.calls == 0  # no download, no vision call
    row = last_row(database)
    assert row.intent == "demo_done" and row.media is not None and row.media["status"] == "caption"


def test_a_photo_that_is_not_a_card_is_answered_so(wired, database, clock, fake_channel, ai, media):
    ai.reply(command_json("unknown")).reply(command_json("unknown"))
    url = media.serve("/cat.png", PNG, "image/png")
    send(photo_body(clock, url))
    send(photo_body(clock, url, "visiting card"))
    assert leads(database) == []
    assert [text.split(".")[0] for text in fake_channel.sent[PRIYA]] == [
        "🪪 I couldn't find a visiting card in that photo"
    ] * 2
    assert last_row(database).intent == "image_not_card"


def test_a_photo_that_is_not_a_card_with_an_unclear_caption_is_handled_as_its_caption(
    wired, database, clock, fake_channel, ai, media
):
    send(envelope("New lead: Desai Pharma, Hetal, 9824055667", "t1", clock.now(), sender=PRIYA))
    ai.reply(command_json("unknown"))  # the photo: not a card
    ai.reply(command_json("add_activity", company="Desai Pharma", note="site photo bheja"))  # the caption
    send(photo_body(clock, media.serve("/site.png", PNG, "image/png"), "unko site photo bheja"))  # no lead: unsure
    assert ai.calls == 2 and ai.requests[1].user == "unko site photo bheja"
    assert notes(database) == ["site photo bheja"]
    assert last_row(database).intent == "add_activity"


def test_a_redelivered_card_is_read_once(wired, database, clock, fake_channel, ai, media):
    ai.reply(card())
    body = send(photo_body(clock, media.serve("/c.png", PNG, "image/png")))
    send(body, 2)
    assert ai.calls == 1 and media.count("/c.png") == 1 and len(leads(database)) == 1
    assert len(fake_channel.sent[PRIYA]) == 1


@pytest.mark.parametrize("failure", [429, "timeout"])
def test_a_vision_429_or_timeout_is_transient_and_the_retry_reads_it(
    wired, database, clock, fake_channel, ai, media, failure
):
    if failure == 429:
        ai.fail(429)
    else:
        ai.stall(3.0)
    ai.reply(card())
    body = photo_body(clock, media.serve("/c.png", PNG, "image/png"))
    with pytest.raises(TransientError):
        send(body, 1)
    assert leads(database) == [] and fake_channel.sent[PRIYA] == []
    send(body, 2)
    assert len(leads(database)) == 1 and fake_channel.sent[PRIYA][0].startswith("🪪")


def test_without_an_ai_service_a_card_gets_one_clear_reply_and_is_kept(offline, database, clock, fake_channel, media):
    url = media.serve("/c.png", PNG, "image/png")
    body = send(photo_body(clock, url, "card, Neha ko assign karo"))
    send(body, 2)
    (reply,) = fake_channel.sent[PRIYA]
    assert "visiting cards" in reply and "OPENAI_API_KEY" in reply and "New lead:" in reply
    assert media.requests == [] and leads(database) == []
    row = last_row(database)
    assert row.intent == "image_no_ai" and row.media is not None
    assert (row.media["url"], row.media["status"], row.text) == (url, "no_ai", "card, Neha ko assign karo")


def test_without_an_ai_service_a_photo_with_a_command_caption_still_runs_the_command(
    offline, database, clock, fake_channel, media
):
    send(envelope("New lead: Desai Pharma, Hetal, 9824055667", "t1", clock.now(), sender=PRIYA))
    send(photo_body(clock, media.serve("/d.png", PNG, "image/png"), "Demo done for Desai Pharma"))
    assert leads(database)[0].status == "demo_done" and media.requests == []
