"""Voice notes through the queue function: downloaded and transcribed outside any transaction, the transcript run
as a typed message (English, Hinglish, Hindi) with a 🎤 echo, stored on the inbound row and shown in the history;
failures retried, never paid twice; no AI service → one clear reply, the media reference kept."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from crm_core.db.models import Activity, InboundMessage, Lead, Outbox
from crm_core.errors import TransientError
from crm_core.pipeline.process import process_poison_message
from tests.fakes.media_files import tiny_ogg
from tests.fakes.openai_server import command_json
from tests.media.conftest import (
    NEHA,
    PRIYA,
    WAV,
    last_row,
    leads,
    llm_calls,
    send,
    voice_body,
)

HINGLISH = "Naya lead Desai Pharma, contact Hetal Desai, 98240 55667, Neha ko assign karo."
UNHEARD = "I couldn't hear that clearly — please send it again or type it."


def test_a_hinglish_voice_note_creates_the_lead_and_the_reply_starts_with_what_was_heard(
    wired, database, clock, fake_channel, ai, media
):
    url = media.serve("/wh_new/v1.wav", WAV, "audio/wav")
    ai.transcript(HINGLISH)
    send(voice_body(clock, url))

    (lead,) = leads(database)
    assert (lead.company, lead.contact_name, lead.phone) == ("Desai Pharma", "Hetal Desai", "+919824055667")
    (reply,) = fake_channel.sent[PRIYA]
    assert reply.startswith(f"🎤 “{HINGLISH}”\n\n") and "Desai Pharma" in reply.split("\n\n", 1)[1]
    assert any("Desai Pharma" in text for text in fake_channel.sent[NEHA])  # the owner is told
    # One download, one transcription (the rules were sure of the transcript: no chat call).
    assert media.count("/wh_new/v1.wav") == 1 and ai.audio_calls == 1 and ai.calls == 0
    sent = ai.audio_requests[0]
    assert sent.file == WAV and sent.file_name.endswith(".wav") and sent.model == "gpt-4o-transcribe"
    assert "Neha Gupta" in sent.prompt and "Hinglish" in sent.prompt  # the team's names help it hear them
    row = last_row(database)
    assert (row.status, row.intent, row.text, row.lead_id) == ("done", "new_lead", HINGLISH, lead.id)
    assert row.media is not None
    assert row.media["status"] == "heard" and row.media["transcript"] == HINGLISH
    assert row.media["url"] == url and row.media["bytes"] == len(WAV) and "claim" not in row.media
    (call,) = llm_calls(database)
    assert (call.model, call.outcome, call.prompt_tokens, call.inbound_id) == (
        "gpt-4o-transcribe",
        "heard",
        120,
        row.id,
    )


def test_a_voice_note_updates_an_existing_lead_and_the_history_shows_the_transcript(
    wired, database, clock, fake_channel, ai, media
):
    url = media.serve("/v.wav", WAV, "audio/wav")
    ai.transcript(HINGLISH).transcript("Desai Pharma ka demo ho gaya, unko pasand aaya")
    send(voice_body(clock, url))
    send(voice_body(clock, url))

    (lead,) = leads(database)
    assert lead.status == "demo_done"
    reply = fake_channel.sent[PRIYA][-1]
    assert reply.startswith("🎤 “Desai Pharma ka demo ho gaya, unko pasand aaya”")
    from crm_core.api.history import collect

    with database.sessions() as session:
        found = session.get(Lead, lead.id)
        assert found is not None
        entries = [e for e in collect(session, found) if e.source == "inbound"]
    assert [e.text for e in entries] == [HINGLISH, "Desai Pharma ka demo ho gaya, unko pasand aaya"]
    assert all(e.data and e.data["media"] == {"kind": "voice", "status": "heard"} for e in entries)


def test_a_hindi_voice_note_is_answered_in_hindi(wired, database, clock, fake_channel, ai, media):
    spoken = "नया लीड: लोटस इंटीरियर्स, संपर्क पूजा शर्मा, 9811098110, असाइन अमित"
    ai.transcript(spoken)
    send(voice_body(clock, media.serve("/h.ogg", tiny_ogg(), "audio/ogg; codecs=opus"), mime="audio/ogg"))
    (lead,) = leads(database)
    assert lead.company == "लोटस इंटीरियर्स" and lead.phone == "+919811098110"
    reply = fake_channel.sent[PRIYA][0]
    assert reply.startswith(f"🎤 “{spoken}”") and "बन गई" in reply
    assert ai.audio_requests[0].file_name.endswith(".ogg") and ai.audio_requests[0].file_type == "audio/ogg"


def test_a_transcript_the_rules_are_unsure_of_goes_to_gpt_outside_the_transaction(
    wired, database, clock, fake_channel, ai, media
):
    url = media.serve("/v.wav", WAV, "audio/wav")
    ai.transcript(HINGLISH).transcript("unko quote bhej diya hai")  # no lead named: the rules are unsure
    send(voice_body(clock, url))
    ai.reply(command_json("add_activity", company="Desai Pharma", note="quote bhej diya"))
    send(voice_body(clock, url))
    assert ai.audio_calls == 2 and ai.calls == 1
    assert ai.requests[0].user == "unko quote bhej diya hai"  # the transcript, as typed text
    reply = fake_channel.sent[PRIYA][-1]
    assert reply.startswith("🎤 “unko quote bhej diya hai”\n\n") and "quote bhej diya" in reply
    row = last_row(database)
    assert row.intent == "add_activity" and row.parse is not None and row.parse["result"]["source"] == "gpt"
    assert sorted(c.outcome for c in llm_calls(database)) == ["heard", "heard", "ok"]


def test_an_empty_or_unusable_transcript_asks_to_send_it_again_or_type_it(
    wired, database, clock, fake_channel, ai, media
):
    url = media.serve("/v.wav", WAV, "audio/wav")
    for heard in ("", "  ", "hmm", "Thank you for watching!"):
        ai.transcript(heard)
        send(voice_body(clock, url))
    assert fake_channel.sent[PRIYA] == [UNHEARD] * 4
    row = last_row(database)
    assert (row.intent, row.status, row.text) == ("voice_unheard", "done", "")
    assert row.media is not None and row.media["status"] == "unheard"
    assert [c.outcome for c in llm_calls(database)] == ["unheard"] * 4  # paid for, and counted
    assert leads(database) == []


def test_a_refused_or_unreadable_audio_file_is_unheard_not_retried(wired, database, clock, fake_channel, ai, media):
    ai.fail_audio(400)
    send(voice_body(clock, media.serve("/v.wav", WAV, "audio/wav")))
    assert fake_channel.sent[PRIYA] == [UNHEARD] and ai.audio_calls == 1


def test_a_redelivered_voice_note_is_downloaded_transcribed_and_answered_once(
    wired, database, clock, fake_channel, ai, media
):
    url = media.serve("/v.wav", WAV, "audio/wav")
    ai.transcript(HINGLISH)
    body = send(voice_body(clock, url))
    send(body, 2)
    send(body, 3)
    assert media.count("/v.wav") == 1 and ai.audio_calls == 1
    assert len(fake_channel.sent[PRIYA]) == 1 and len(leads(database)) == 1


@pytest.mark.parametrize("failure", ["429", "timeout", "503 download"])
def test_a_timeout_or_429_is_transient_and_the_retry_succeeds(wired, database, clock, fake_channel, ai, media, failure):
    url = media.serve("/v.wav", WAV, "audio/wav")
    if failure == "429":
        ai.fail_audio(429)
    elif failure == "timeout":
        ai.stall_audio(3.0)  # longer than LLM_TIMEOUT_SECONDS (2 s)
    else:
        media.fail("/v.wav", 503)
    ai.transcript(HINGLISH)
    body = voice_body(clock, url)
    with pytest.raises(TransientError):
        send(body, 1)
    row = last_row(database)
    assert row.status == "received" and fake_channel.sent[PRIYA] == []
    assert row.media is not None and "claim" not in row.media and "status" not in row.media  # released
    send(body, 2)  # the queue's retry
    assert len(leads(database)) == 1 and fake_channel.sent[PRIYA][0].startswith("🎤")


def test_once_a_transcript_is_stored_a_retry_never_transcribes_again(wired, database, clock, fake_channel, ai, media):
    url = media.serve("/v.wav", WAV, "audio/wav")
    ai.transcript("unko quote bhej diya")  # no lead named: the rules are unsure, GPT is asked next
    ai.fail(429, times=2)
    body = voice_body(clock, url)
    with pytest.raises(TransientError):
        send(body, 1)
    assert last_row(database).media["status"] == "heard"  # type: ignore[index]
    with pytest.raises(TransientError):
        send(body, 2)
    ai.reply(command_json("unknown"))
    send(body, 3)
    assert ai.audio_calls == 1 and media.count("/v.wav") == 1 and ai.calls == 3
    assert fake_channel.sent[PRIYA][0].startswith("🎤 “unko quote bhej diya”")


def test_after_the_last_try_the_sender_is_told_once(wired, database, clock, fake_channel, ai, media):
    url = media.serve("/v.wav", WAV, "audio/wav")
    ai.fail_audio(429, times=5)
    body = voice_body(clock, url)
    for attempt in range(1, 6):
        with pytest.raises(TransientError):
            send(body, attempt)
    process_poison_message(body)
    process_poison_message(body)  # the poison queue redelivers too
    (apology,) = fake_channel.sent[PRIYA]
    assert "voice note" in apology and "type it" in apology
    row = last_row(database)
    assert row.status == "poison" and row.media is not None and row.media["url"] == url


def test_without_an_ai_service_one_clear_reply_and_the_media_reference_is_kept(
    offline, database, clock, fake_channel, media
):
    url = media.serve("/v.wav", WAV, "audio/wav")
    body = send(voice_body(clock, url))
    send(body, 2)
    (reply,) = fake_channel.sent[PRIYA]
    assert "voice notes" in reply and "OPENAI_API_KEY" in reply and "type your message" in reply
    assert media.requests == []  # nothing downloaded: nothing could read it
    row = last_row(database)
    assert (row.status, row.intent) == ("done", "voice_no_ai")
    assert row.media == {
        "kind": "voice",
        "url": url,
        "mime": "audio/wav",
        "media_type": "ptt",
        "status": "no_ai",
    }


def test_without_an_ai_service_a_hindi_writer_is_answered_in_hindi(offline, database, clock, fake_channel, media):
    from tests.pipeline.support import envelope

    send(envelope("मेरे आज के टास्क", "t1", clock.now(), sender=PRIYA))
    send(voice_body(clock, media.serve("/v.wav", WAV, "audio/wav")))
    assert "वॉइस नोट" in fake_channel.sent[PRIYA][-1]


def test_the_transcript_and_media_survive_json_round_trips_on_the_row(wired, database, clock, ai, media):
    ai.transcript(HINGLISH)
    send(voice_body(clock, media.serve("/v.wav", WAV, "audio/wav")))
    with database.sessions() as session:
        raw = session.scalar(select(InboundMessage.media).order_by(InboundMessage.id.desc()).limit(1))
    assert json.loads(json.dumps(raw))["transcript"] == HINGLISH
    with database.sessions() as session:
        assert session.scalar(select(Activity.kind).where(Activity.kind == "lead_created")) == "lead_created"
        assert session.scalar(select(Outbox.body).where(Outbox.recipient == PRIYA)).startswith("🎤")
