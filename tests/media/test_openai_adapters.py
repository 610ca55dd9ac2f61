"""The transcription and card-reading adapters: the real openai SDK against the loopback fake, on OpenAI and on
Azure OpenAI (deployments reached with a bearer token, no key)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from crm_core.commands import Doubt, Intent
from crm_core.composition import Container
from crm_core.errors import TransientError
from crm_core.media.cards import OpenAICardReader, arrange_numbers, card_wanted
from crm_core.media.transcribe import OpenAITranscriber, transcription_prompt, usable
from crm_core.parsing.gpt import RESPONSE_FORMAT
from crm_core.ports import ParseContext
from crm_core.settings import load_settings
from tests.conftest import IST, NOW
from tests.fakes.media_files import tiny_png, tiny_wav
from tests.fakes.openai_server import FakeOpenAI, command_json

TEAM = ("Priya Sharma", "Amit Verma", "Neha Gupta")
CTX = ParseContext(now=NOW, tz=IST, sender_name="Priya Sharma", team_names=TEAM)
ADDRESS = {
    "address": "12 MG Road, Pune 411001",
    "turnover": None,
    "current_system": None,
    "challenges": None,
    "industry": None,
    "team_size": None,
}


@pytest.fixture
def ai() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


def openai_settings(ai: FakeOpenAI, **more: Any) -> Any:
    values: dict[str, Any] = {"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": ai.base_url, "LLM_MAX_RETRIES": 0}
    return load_settings(**{**values, **more})


def azure_settings(ai: FakeOpenAI, **more: Any) -> Any:
    values: dict[str, Any] = {"AZURE_OPENAI_ENDPOINT": ai.endpoint, "AZURE_OPENAI_DEPLOYMENT": "gpt-4o"}
    return load_settings(**{**values, "LLM_MAX_RETRIES": 0, **more})


# -- transcription -------------------------------------------------------------------------------------------------


def test_transcription_sends_the_audio_with_the_model_and_the_hint(ai):
    ai.transcript("naya lead Desai Pharma", input_tokens=90, output_tokens=7)
    heard = OpenAITranscriber(openai_settings(ai)).transcribe(tiny_wav(), "audio/wav", transcription_prompt(TEAM))
    assert (heard.text, heard.model, heard.input_tokens, heard.output_tokens) == (
        "naya lead Desai Pharma",
        "gpt-4o-transcribe",
        90,
        7,
    )
    (sent,) = ai.audio_requests
    assert sent.path == "/v1/audio/transcriptions" and sent.headers["authorization"] == "Bearer sk-test"
    assert (sent.file, sent.file_name, sent.file_type) == (tiny_wav(), "voice-note.wav", "audio/wav")
    assert sent.model == "gpt-4o-transcribe" and "Neha Gupta" in sent.prompt
    assert sent.fields["response_format"] == "json" and "language" not in sent.fields  # the model detects it


def test_transcription_model_is_a_setting(ai):
    ai.transcript("ok")
    OpenAITranscriber(openai_settings(ai, TRANSCRIBE_MODEL="whisper-1")).transcribe(tiny_wav(), "audio/wav", "")
    assert ai.audio_requests[0].model == "whisper-1"


def test_transcription_on_azure_uses_its_deployment_and_the_identity_token(ai):
    ai.transcript("Demo done for Acme")
    transcriber = OpenAITranscriber(azure_settings(ai), token_provider=lambda: "entra-token")
    assert transcriber.transcribe(tiny_wav(), "audio/wav", "").text == "Demo done for Acme"
    (sent,) = ai.audio_requests
    assert sent.path.startswith("/openai/deployments/gpt-4o-transcribe/audio/transcriptions?")
    assert "api-version=2025-04-01-preview" in sent.path
    assert sent.headers["authorization"] == "Bearer entra-token" and "api-key" not in sent.headers


@pytest.mark.parametrize("status", [429, 500, 503])
def test_transcription_rate_limits_and_outages_are_transient(ai, status):
    ai.fail_audio(status)
    with pytest.raises(TransientError):
        OpenAITranscriber(openai_settings(ai)).transcribe(tiny_wav(), "audio/wav", "")


def test_a_transcription_timeout_is_transient(ai):
    ai.stall_audio(2.0)
    with pytest.raises(TransientError):
        OpenAITranscriber(openai_settings(ai, LLM_TIMEOUT_SECONDS=0.5)).transcribe(tiny_wav(), "audio/wav", "")


def test_the_sdk_retries_a_429_before_giving_up(ai):
    ai.fail_audio(429).transcript("kal ke tasks batao")
    heard = OpenAITranscriber(openai_settings(ai, LLM_MAX_RETRIES=1)).transcribe(tiny_wav(), "audio/wav", "")
    assert heard.text == "kal ke tasks batao" and ai.audio_calls == 2


def test_an_audio_file_the_service_cannot_read_is_heard_as_nothing(ai):
    ai.fail_audio(400)
    assert OpenAITranscriber(openai_settings(ai)).transcribe(b"OggS junk", "audio/ogg", "").text == ""


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("", False),
        ("   ", False),
        ("...", False),
        ("hmm", False),
        ("Um, uh, hmm.", False),
        ("you", False),
        ("Thank you for watching!", False),
        ("a", False),
        ("ok", True),
        ("haan", True),
        ("हाँ", True),
        ("Demo done for Acme", True),
        ("naya lead Desai Pharma, contact Hetal Desai", True),
        (transcription_prompt(TEAM), False),  # the hint read back over silence
    ],
)
def test_usable(text, ok):
    assert usable(text, transcription_prompt(TEAM)) is ok


# -- cards ---------------------------------------------------------------------------------------------------------


def card_answer(**fields: Any) -> str:
    base: dict[str, Any] = {"company": "Sharma Traders", "contact_name": "Rakesh Sharma", "details": ADDRESS}
    base.update(fields)
    return command_json("new_lead", **base)


def test_the_card_and_its_caption_go_to_gpt4o_with_the_strict_command_schema(ai):
    ai.reply(card_answer(phone="98765 43210", email="rakesh@sharmatraders.in", assignee="Neha"))
    reading = OpenAICardReader(openai_settings(ai)).read(tiny_png(), "image/png", "card, Neha ko assign karo", CTX)
    (sent,) = ai.requests
    assert sent.body["model"] == "gpt-4o" and sent.body["response_format"] == json.loads(json.dumps(RESPONSE_FORMAT))
    assert sent.user == "Caption: card, Neha ko assign karo"
    (image,) = sent.images
    assert image == "data:image/png;base64," + base64.b64encode(tiny_png()).decode()
    assert "visiting" in sent.system and "Neha Gupta" in sent.system and "DATA" in sent.system
    command = reading.parse.command
    assert reading.is_card and reading.parse.source == "vision"
    assert (command.intent, command.company, command.contact_name) == (
        Intent.NEW_LEAD,
        "Sharma Traders",
        "Rakesh Sharma",
    )
    assert (command.phone, command.email, command.assignee) == ("+919876543210", "rakesh@sharmatraders.in", "Neha")
    assert command.source == "Visiting card" and command.details is not None
    assert command.details.address == "12 MG Road, Pune 411001"
    assert (reading.prompt_tokens, reading.completion_tokens) == (321, 45)


def test_with_several_numbers_the_mobile_comes_first_and_the_others_go_into_a_note(ai):
    ai.reply(
        card_answer(
            phone="020 2612 3456",  # the model put the office landline first
            note="Designation: Purchase Manager. Other numbers: +91 98220 12345, 020-2612-3457. Website: sharma.in",
        )
    )
    reading = OpenAICardReader(openai_settings(ai)).read(tiny_png(), "image/png", "", CTX)
    command = reading.parse.command
    assert command.phone == "+919822012345"
    (note,) = command.also
    assert note.intent is Intent.ADD_ACTIVITY and note.note is not None
    assert "Designation: Purchase Manager" in note.note and "Website: sharma.in" in note.note
    assert "Other numbers: +91 20 2612 3456, +91 20 2612 3457" in note.note
    assert "98220" not in note.note  # the mobile is the lead's phone, not repeated


def test_an_owner_not_on_the_team_makes_it_a_question(ai):
    ai.reply(card_answer(phone="9876543210", assignee="Walk"))
    reading = OpenAICardReader(openai_settings(ai)).read(tiny_png(), "image/png", "card for walk", CTX)
    assert reading.parse.source == "ask" and Doubt.ASSIGNEE in reading.parse.doubts
    assert reading.parse.command.assignee is None and reading.parse.rejected["assignee"] == "Walk"


@pytest.mark.parametrize(
    "answer",
    [
        command_json("unknown"),
        command_json("demo_done", company="Acme"),
        command_json("new_lead"),  # neither a company nor a person
        "not json at all",
    ],
)
def test_a_photo_that_is_not_a_card_is_said_so(ai, answer):
    ai.reply(answer)
    reading = OpenAICardReader(openai_settings(ai)).read(tiny_png(), "image/png", "", CTX)
    assert not reading.is_card and reading.parse.command.intent is Intent.UNKNOWN


def test_a_refusal_is_not_a_card(ai):
    ai.refuse()
    assert not OpenAICardReader(openai_settings(ai)).read(tiny_png(), "image/png", "", CTX).is_card


@pytest.mark.parametrize("status", [429, 500])
def test_vision_rate_limits_and_outages_are_transient(ai, status):
    ai.fail(status)
    with pytest.raises(TransientError):
        OpenAICardReader(openai_settings(ai)).read(tiny_png(), "image/png", "", CTX)


def test_a_vision_timeout_is_transient(ai):
    ai.stall(2.0)
    with pytest.raises(TransientError):
        OpenAICardReader(openai_settings(ai, LLM_TIMEOUT_SECONDS=0.5)).read(tiny_png(), "image/png", "", CTX)


def test_cards_on_azure_use_the_gpt4o_deployment_and_the_identity_token(ai):
    ai.reply(card_answer(phone="9876543210"))
    reader = OpenAICardReader(azure_settings(ai), token_provider=lambda: "entra-token")
    assert reader.read(tiny_png(), "image/png", "", CTX).is_card
    (sent,) = ai.requests
    assert sent.path.startswith("/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21")
    assert sent.headers["authorization"] == "Bearer entra-token"


def test_the_composition_root_builds_readers_only_when_an_ai_service_is_configured(ai):
    assert Container(load_settings()).transcriber is None and Container(load_settings()).card_reader is None
    container = Container(openai_settings(ai))
    assert isinstance(container.transcriber, OpenAITranscriber) and isinstance(container.card_reader, OpenAICardReader)
    assert container.transcriber is container.transcriber  # built once
    without_voice = Container(openai_settings(ai, TRANSCRIBE_MODEL=""))  # voice notes turned off, cards still read
    assert without_voice.transcriber is None and without_voice.card_reader is not None


@pytest.mark.parametrize(
    ("phone", "note", "first", "others", "rest"),
    [
        ("+919876543210", None, "+919876543210", [], ""),
        (None, "Other numbers: 98765 43210", "+919876543210", [], ""),
        ("+912226123456", "Mobile: 98765 43210", "+919876543210", ["+912226123456"], ""),
        (
            "+919876543210",
            "Designation: CEO. Other numbers: 98765 43211",
            "+919876543210",
            ["+919876543211"],
            "Designation: CEO",
        ),
        (None, None, None, [], ""),
    ],
)
def test_arrange_numbers(phone, note, first, others, rest):
    assert arrange_numbers(phone, note, "IN") == (first, others, rest)


@pytest.mark.parametrize(
    ("caption", "wanted"),
    [
        ("", True),
        ("card", True),
        ("Visiting card - Neha ko assign karo", True),
        ("new lead", True),
        ("naya lead", True),
        ("कार्ड", True),
    ],
)
def test_card_words_make_a_card_without_any_parse(caption, wanted):
    assert card_wanted(caption, None) is wanted
