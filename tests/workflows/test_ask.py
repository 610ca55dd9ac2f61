"""Asking instead of guessing (#12): an unsure command is echoed with a question and runs only on the answer.

The parser is a fake that is unsure (source "ask") with the doubts and rejected values a real parser reports.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from crm_core.commands import Command, Doubt, ParseResult
from crm_core.handlers.common import CONFIRM_TTL
from crm_core.parsing.hybrid import HybridParser
from crm_core.parsing.rules import RuleParser
from crm_core.ports import ParseContext
from tests.conftest import IST
from tests.workflows.conftest import Bot, cmd


class UnsureParser:
    """Answers every message with the preset command, unsure: source "ask", with doubts and rejected values."""

    def __init__(self, command: Command, doubts: Iterable[Doubt] = (), rejected: dict[str, str] | None = None) -> None:
        self.result = ParseResult(
            command=command, confidence=0.5, source="ask", doubts=list(doubts), rejected=rejected or {}
        )
        self.calls: list[tuple[str, ParseContext]] = []

    def parse(self, text: str, ctx: ParseContext) -> ParseResult:
        """The preset unsure reading."""
        self.calls.append((text, ctx))
        return self.result


def unsure(intent: str, doubts: Iterable[Doubt] = (), rejected: dict[str, str] | None = None, **fields: Any):  # type: ignore[no-untyped-def]
    """An unsure parser for one command."""
    return UnsureParser(cmd(intent, **fields), doubts, rejected)


OM_SAI = {"company": "Om Sai Traders", "contact_name": "Raju bhai"}
BAD_PHONE = {"doubts": [Doubt.PHONE], "rejected": {"phone": "98765 1234"}}


def _ask_om_sai(bot: Bot, text: str = "new lead om sai traders raju bhai 98765 1234") -> None:
    out = bot.say("priya", text, parser=unsure("new_lead", **BAD_PHONE, **OM_SAI))
    assert out.intent == "ask" and out.lead_id is None
    assert out.parse is not None and out.parse.source == "ask"


# --- asking -------------------------------------------------------------------------------------------------------


def test_unsure_new_lead_is_asked_about_and_nothing_is_written(bot: Bot) -> None:
    _ask_om_sai(bot)
    assert bot.leads() == []
    question = bot.last("priya")
    assert question.splitlines()[0] == (
        "🤔 New lead *Om Sai Traders*, contact Raju bhai — the phone 98765 1234 has 9 digits; send it again?"
    )
    assert "*yes*" in question and "*no*" in question
    assert bot.count_outbox() == 1  # the question only: no notification, no lead, no history
    state = bot.state("priya")
    assert state is not None and state.awaiting == "confirm_command"


def test_yes_runs_the_pending_command_without_parsing(bot: Bot) -> None:
    _ask_om_sai(bot)
    out = bot.say("priya", "haan")
    assert bot.parser is not None and bot.parser.calls == []  # answered from state
    assert out.intent == "new_lead" and out.via_state == "confirm_command"
    (lead,) = bot.leads()
    assert lead.company == "Om Sai Traders" and lead.contact_name == "Raju bhai" and lead.phone is None
    assert out.lead_id == lead.id and "✅" in bot.last("priya") and bot.state("priya") is None


def test_the_right_phone_fills_it_in_and_runs(bot: Bot) -> None:
    _ask_om_sai(bot)
    out = bot.say("priya", "sahi number 98765 12345 hai")
    (lead,) = bot.leads()
    assert out.intent == "new_lead" and lead.phone == "+919876512345"
    assert "+91 98765 12345" in bot.last("priya")


def test_a_phone_still_wrong_is_asked_about_again(bot: Bot) -> None:
    _ask_om_sai(bot)
    out = bot.say("priya", "98765 123")
    assert out.intent == "ask" and bot.leads() == []
    assert "the phone 98765 123 has 8 digits" in bot.last("priya")
    bot.say("priya", "+91 98765 43210")
    assert bot.leads()[0].phone == "+919876543210"


def test_no_drops_it_with_a_short_ack(bot: Bot) -> None:
    _ask_om_sai(bot)
    out = bot.say("priya", "nahi rehne do")
    assert bot.parser is not None and bot.parser.calls == []
    assert out.lead_id is None and bot.leads() == [] and bot.state("priya") is None
    assert bot.last("priya") == "OK, dropped — nothing was saved."
    bot.say("priya", "haan")  # nothing is pending any more: just chit-chat
    assert bot.leads() == []


def test_owner_not_on_the_team_is_asked_and_a_name_settles_it(bot: Bot) -> None:
    parser = unsure(
        "new_lead",
        [Doubt.ASSIGNEE],
        {"assignee": "walk"},
        company="Kapoor Motors",
        contact_name="Sunil",
        phone="+919876501234",
    )
    bot.say("priya", "new lead Kapoor Motors, Sunil, 9876501234, assign to walk", parser=parser)
    assert bot.leads() == []
    assert "*walk* is not on your team; who should own it?" in bot.last("priya")
    assert "New lead *Kapoor Motors*, contact Sunil, +91 98765 01234" in bot.last("priya")
    bot.say("priya", "Amit ko de do")
    lead = bot.lead("Kapoor Motors")
    assert lead.owner_id == bot.user("amit").id and lead.creator_id == bot.user("priya").id
    assert any("Kapoor Motors" in n for n in bot.notes("amit"))


def test_reassigning_to_someone_not_on_the_team_needs_a_name(bot: Bot) -> None:
    bot.new_lead("priya", "Acme")
    parser = unsure("reassign_lead", [Doubt.ASSIGNEE], {"assignee": "Bholu"}, company="Acme")
    bot.say("priya", "Acme Bholu ko do", parser=parser)
    assert bot.last("priya") == (
        "🤔 Reassign *Acme* — *Bholu* is not on your team; who should own it?\n"
        "Send a team member's name, or *no* to cancel."
    )
    bot.say("priya", "yes")  # a reassignment needs someone: the question stays
    assert bot.lead("Acme").owner_id == bot.user("priya").id and bot.state("priya") is not None
    bot.say("priya", "अमित")
    assert bot.lead("Acme").owner_id == bot.user("amit").id and "*Amit Verma*" in bot.last("priya")


def test_a_valid_phone_answers_a_plain_question_too(bot: Bot) -> None:
    bot.say("priya", "new lead Om Sai", parser=unsure("new_lead", [Doubt.FIELDS], company="Om Sai Traders"))
    bot.say("priya", "number 98765 12345")
    assert bot.lead("Om Sai Traders").phone == "+919876512345"


def test_yes_to_an_unknown_owner_keeps_the_lead_with_the_sender(bot: Bot) -> None:
    parser = unsure("new_lead", [Doubt.ASSIGNEE], {"assignee": "walk"}, company="Kapoor Motors")
    bot.say("priya", "new lead Kapoor Motors assign to walk", parser=parser)
    bot.say("priya", "ok done")
    assert bot.lead("Kapoor Motors").owner_id == bot.user("priya").id


def test_a_name_not_on_the_team_is_said_so_and_asked_again(bot: Bot) -> None:
    parser = unsure("new_lead", [Doubt.ASSIGNEE], {"assignee": "walk"}, company="Kapoor Motors")
    bot.say("priya", "new lead Kapoor Motors assign to walk", parser=parser)
    out = bot.say("priya", "Neha")
    assert out.intent == "ask" and bot.leads() == []
    assert "*Neha* is not on your team" in bot.last("priya") and bot.state("priya") is not None
    bot.say("priya", "khud")  # "myself"
    assert bot.lead("Kapoor Motors").owner_id == bot.user("priya").id


def test_a_past_time_is_asked_about_and_yes_alone_is_not_enough(bot: Bot) -> None:
    lead = bot.new_lead("priya", "Kapoor Motors")
    parser = unsure("schedule_meeting", [Doubt.WHEN], company="Kapoor Motors", when="2026-11-23T16:00:00+05:30")
    bot.say("priya", "meeting Kapoor Motors kal 4 baje", parser=parser)
    assert "Mon 23 Nov, 4:00 PM is already past; when should the meeting be?" in bot.last("priya")
    bot.say("priya", "yes")  # a meeting cannot be booked in the past: the question stays
    assert bot.events(lead.id) == [] and "already past" in bot.last("priya")
    out = bot.say("priya", "kal 4 baje")
    (event,) = bot.events(lead.id)
    assert (
        out.intent == "schedule_meeting" and event.starts_at.astimezone(IST).isoformat() == "2026-11-25T16:00:00+05:30"
    )
    assert "Wed 25 Nov, 4:00 PM" in bot.last("priya")


def test_a_missing_time_is_asked_for(bot: Bot) -> None:
    lead = bot.new_lead("priya", "Kapoor Motors")
    bot.say("priya", "demo Kapoor Motors", parser=unsure("schedule_demo", [Doubt.WHEN], company="Kapoor Motors"))
    assert "when should the demo be?" in bot.last("priya")
    bot.say("priya", "Friday 11am")
    assert bot.events(lead.id)[0].starts_at.astimezone(IST).isoformat() == "2026-11-27T11:00:00+05:30"


def test_a_plain_doubt_echoes_the_reading_and_books_on_yes(bot: Bot) -> None:
    lead = bot.new_lead("priya", "Kapoor Motors")
    parser = unsure("schedule_meeting", [Doubt.INTENT], company="Kapoor Motors", when="2026-11-25T16:00:00+05:30")
    bot.say("priya", "Kapoor Motors kal 4 baje", parser=parser)
    assert bot.last("priya") == (
        "🤔 I read: meeting with *Kapoor Motors* on Wed 25 Nov, 4:00 PM. Shall I book it? "
        "(*yes* / *no*, or send it corrected)"
    )
    assert bot.events(lead.id) == []
    bot.say("priya", "ok kar do")
    assert len(bot.events(lead.id)) == 1 and bot.lead("Kapoor Motors").status == "meeting_scheduled"


def test_a_missing_company_is_asked_and_the_answer_names_it(bot: Bot) -> None:
    bot.new_lead("priya", "Acme Pvt Ltd")
    bot.say("priya", "qualified", parser=unsure("qualify_lead", [Doubt.COMPANY]))
    assert "which company is it?" in bot.last("priya") and bot.lead("Acme Pvt Ltd").status == "new"
    bot.say("priya", "hmm wait")  # chit-chat: the question again
    assert "which company is it?" in bot.last("priya") and bot.lead("Acme Pvt Ltd").status == "new"
    bot.say("priya", "Acme")
    assert bot.lead("Acme Pvt Ltd").status == "qualified" and bot.state("priya") is not None  # details awaited


def test_a_new_confident_command_replaces_the_wait(bot: Bot) -> None:
    _ask_om_sai(bot)
    bot.say("priya", "show my leads", cmd("list_leads"))
    assert bot.state("priya") is None and "no open leads" in bot.last("priya")
    bot.say("priya", "haan")
    assert bot.leads() == []


def test_the_command_sent_corrected_runs(bot: Bot) -> None:
    _ask_om_sai(bot)
    bot.say(
        "priya",
        "New lead: Om Sai Traders, Raju bhai, 98765 12345",
        cmd("new_lead", company="Om Sai Traders", contact_name="Raju bhai", phone="+919876512345"),
    )
    (lead,) = bot.leads()
    assert lead.phone == "+919876512345" and bot.state("priya") is None


def test_another_unsure_command_replaces_the_question(bot: Bot) -> None:
    _ask_om_sai(bot)
    bot.say("priya", "new lead Kapoor Motors walk", parser=unsure("new_lead", company="Kapoor Motors"))
    assert "Kapoor Motors" in bot.last("priya") and bot.leads() == []
    bot.say("priya", "yes please")
    assert [lead.company for lead in bot.leads()] == ["Kapoor Motors"]


def test_chit_chat_keeps_the_wait(bot: Bot) -> None:
    _ask_om_sai(bot)
    question = bot.last("priya")
    out = bot.say("priya", "ek minute", cmd("unknown"))
    assert out.lead_id is None and bot.last("priya") == question and bot.state("priya") is not None
    bot.say("priya", "theek hai")
    assert len(bot.leads()) == 1


def test_the_wait_expires_like_other_states(bot: Bot) -> None:
    _ask_om_sai(bot)
    bot.clock.advance(CONFIRM_TTL + timedelta(minutes=1))
    bot.say("priya", "haan")
    assert bot.parser is not None and len(bot.parser.calls) == 1  # no longer an answer: parsed as chit-chat
    assert bot.leads() == [] and bot.state("priya") is None


def test_read_only_commands_and_chit_chat_are_not_asked_about(bot: Bot) -> None:
    bot.new_lead("priya", "Acme")
    bot.say("priya", "mere leads", parser=unsure("list_leads"))
    assert "*Acme*" in bot.last("priya") and bot.state("priya") is None
    bot.say("priya", "hmm", parser=unsure("unknown"))
    assert "help" in bot.last("priya") and bot.state("priya") is None


def test_details_awaited_for_a_lead_are_asked_about_for_that_lead(bot: Bot) -> None:
    bot.new_lead("priya", "Acme")
    bot.say("priya", "qualified Acme", cmd("qualify_lead", company="Acme"))
    bot.say("priya", "address pune", parser=unsure("lead_details", details={"address": "Pune"}))
    assert "details for *Acme*: address: Pune" in bot.last("priya") and bot.lead("Acme").address is None
    bot.say("priya", "yes")
    assert bot.lead("Acme").address == "Pune"


def test_the_duplicate_question_understands_the_same_phrasings(bot: Bot) -> None:
    bot.new_lead("priya", "Acme Pvt Ltd")
    bot.say("priya", "new lead Acme", cmd("new_lead", company="Acme"))
    bot.say("priya", "haan ji bana do")
    assert len(bot.leads()) == 2
    bot.say("priya", "new lead Acme", cmd("new_lead", company="Acme"))
    bot.say("priya", "no thanks")
    assert len(bot.leads()) == 2 and bot.state("priya") is None


# --- Hinglish and Hindi ---------------------------------------------------------------------------------------------


def test_hinglish_question_answered_ha_bana_do(bot: Bot) -> None:
    _ask_om_sai(bot, "naya lead Om Sai Traders, Raju bhai, 98765 1234")
    assert "send it again?" in bot.last("priya")  # Latin letters: answered in English
    bot.say("priya", "ha bana do")
    assert bot.lead("Om Sai Traders").phone is None


def test_hinglish_no_answers(bot: Bot) -> None:
    for answer in ("mat karo", "cancel", "nahi"):
        _ask_om_sai(bot)
        bot.say("priya", answer)
        assert bot.leads() == [] and bot.state("priya") is None, answer


def test_hindi_sender_is_asked_in_hindi_and_haan_creates(bot: Bot) -> None:
    parser = unsure(
        "new_lead",
        [Doubt.PHONE],
        {"phone": "98110 9811"},
        company="लोटस इंटीरियर्स",
        contact_name="पूजा शर्मा",
    )
    bot.say("amit", "नया लीड: लोटस इंटीरियर्स, संपर्क पूजा शर्मा, 98110 9811", parser=parser)
    assert bot.last("amit").splitlines()[0] == (
        "🤔 नई लीड *लोटस इंटीरियर्स*, संपर्क पूजा शर्मा — फ़ोन 98110 9811 में 9 अंक हैं; सही नंबर फिर से भेजेंगे?"
    )
    assert bot.leads() == []
    bot.say("amit", "हाँ")
    assert bot.lead("लोटस इंटीरियर्स").contact_name == "पूजा शर्मा" and "बन गई" in bot.last("amit")


def test_hindi_sender_answering_in_latin_letters_still_gets_hindi(bot: Bot) -> None:
    parser = unsure("new_lead", [Doubt.ASSIGNEE], {"assignee": "वॉक"}, company="लोटस इंटीरियर्स")
    bot.say("amit", "नया लीड लोटस इंटीरियर्स वॉक को", parser=parser)
    assert "*वॉक* आपकी टीम में नहीं है" in bot.last("amit")
    bot.say("amit", "priya ko")
    assert bot.lead("लोटस इंटीरियर्स").owner_id == bot.user("priya").id and "बन गई" in bot.last("amit")


def test_hindi_no_and_past_time(bot: Bot) -> None:
    lead = bot.new_lead("priya", "Kapoor Motors")
    parser = unsure("schedule_demo", [Doubt.WHEN], company="Kapoor Motors", when="2026-11-23T16:00:00+05:30")
    bot.say("priya", "Kapoor Motors का डेमो कल 4 बजे", parser=parser)
    assert "बीत चुका है; डेमो कब रखें?" in bot.last("priya")
    bot.say("priya", "नहीं")
    assert bot.last("priya") == "ठीक है, छोड़ दिया — कुछ सेव नहीं हुआ।" and bot.events(lead.id) == []


OFFLINE = HybridParser(RuleParser(), None)  # the app's parser with no model: the bot asks when unsure


def test_a_date_that_passed_this_year_is_asked_about_never_booked_a_year_ahead(bot: Bot) -> None:
    # Today is Tue 24 Nov: "20 Nov" reads as 20 Nov next year by the contract, so the bot asks instead of booking it.
    lead = bot.new_lead("priya", "Kapoor Motors")
    bot.say("priya", "meeting with Kapoor Motors on 20 Nov at 4pm", parser=OFFLINE)
    assert "20 Nov has already passed this year; when should the meeting be" in bot.last("priya")
    assert bot.events(lead.id) == []
    bot.say("priya", "27 Nov 4pm", parser=OFFLINE)
    (event,) = bot.events(lead.id)
    assert event.starts_at.astimezone(IST).isoformat() == "2026-11-27T16:00:00+05:30"


def test_a_date_that_passed_this_year_is_asked_about_in_hindi_too(bot: Bot) -> None:
    lead = bot.new_lead("priya", "Kapoor Motors")
    bot.say("priya", "Kapoor Motors के साथ 20 नवंबर शाम 4 बजे मीटिंग रखो", parser=OFFLINE)
    assert "इस साल बीत चुका है" in bot.last("priya")
    assert bot.events(lead.id) == []
