"""qualify_lead and lead_details: status, logging, asking for exactly what is missing, the one-day window."""

from __future__ import annotations

from datetime import timedelta

from tests.workflows.conftest import Bot, cmd


def test_qualify_asks_for_all_missing_details(bot: Bot) -> None:
    lead = bot.new_lead("priya", "Acme Pvt Ltd")
    out = bot.say("priya", "Lead qualified for Acme", cmd("qualify_lead", company="Acme"))
    assert out.intent == "qualify_lead" and out.lead_id == lead.id
    assert bot.lead("Acme Pvt Ltd").status == "qualified"
    reply = bot.last("priya")
    assert "*Acme Pvt Ltd*" in reply
    for word in ("address", "turnover", "current system", "challenges"):
        assert word in reply
    assert any(a.kind == "qualified" for a in bot.activities(lead.id))
    state = bot.state("priya")
    assert state is not None and state.awaiting == "details" and state.lead_id == lead.id


def test_qualify_asks_only_for_what_is_missing(bot: Bot) -> None:
    bot.say("priya", "x", cmd("new_lead", company="Acme", details={"address": "Pune", "turnover": "5 cr"}))
    bot.say("priya", "qualified Acme", cmd("qualify_lead", company="Acme"))
    reply = bot.last("priya")
    assert "current system" in reply and "challenges" in reply
    assert "*address*" not in reply and "*turnover*" not in reply


def test_qualify_with_nothing_missing_just_confirms(bot: Bot) -> None:
    details = {"address": "Pune", "turnover": "5 cr", "current_system": "Tally", "challenges": "slow"}
    bot.say("priya", "x", cmd("new_lead", company="Acme", details=details))
    bot.say("priya", "qualified Acme", cmd("qualify_lead", company="Acme"))
    assert "All details are on file" in bot.last("priya") and bot.state("priya") is None


def test_details_answer_is_saved_to_the_awaited_lead(bot: Bot) -> None:
    lead = bot.new_lead("priya", "Acme")
    bot.say("priya", "qualified Acme", cmd("qualify_lead", company="Acme"))
    details = {"address": "221B Baker St, Mumbai", "turnover": "3 crore", "current_system": "Excel", "challenges": "x"}
    out = bot.say("priya", "Address: 221B Baker St ...", cmd("lead_details", details=details))
    saved = bot.lead("Acme")
    assert out.lead_id == lead.id and out.intent == "lead_details"
    assert (saved.address, saved.turnover, saved.current_system) == ("221B Baker St, Mumbai", "3 crore", "Excel")
    assert "All details are on file" in bot.last("priya") and "*Acme*" in bot.last("priya")
    assert bot.state("priya") is None
    assert any(a.kind == "details_updated" for a in bot.activities(lead.id))


def test_partial_answer_gets_a_question_for_the_rest(bot: Bot) -> None:
    bot.new_lead("priya", "Acme")
    bot.say("priya", "qualified Acme", cmd("qualify_lead", company="Acme"))
    bot.say(
        "priya",
        "Turnover 3 crore, uses Tally",
        cmd("lead_details", details={"turnover": "3 crore", "current_system": "Tally"}),
    )
    reply = bot.last("priya")
    assert "Still needed" in reply and "address" in reply and "challenges" in reply
    assert "*turnover*" in reply.split("Still needed")[0]
    bot.clock.advance(timedelta(hours=20))
    bot.say(
        "priya",
        "Address Pune; challenges: manual",
        cmd("lead_details", details={"address": "Pune", "challenges": "manual"}),
    )
    assert bot.lead("Acme").challenges == "manual" and bot.state("priya") is None


def test_details_parsed_as_unknown_with_details_still_count(bot: Bot) -> None:
    bot.new_lead("priya", "Acme")
    bot.say("priya", "qualified Acme", cmd("qualify_lead", company="Acme"))
    bot.say("priya", "Pune office", cmd("unknown", details={"address": "Pune office"}))
    assert bot.lead("Acme").address == "Pune office"


def test_details_after_a_day_ask_which_lead(bot: Bot) -> None:
    bot.new_lead("priya", "Acme")
    bot.say("priya", "qualified Acme", cmd("qualify_lead", company="Acme"))
    bot.clock.advance(timedelta(days=1, minutes=1))
    out = bot.say("priya", "Address: Pune", cmd("lead_details", details={"address": "Pune"}))
    assert bot.lead("Acme").address is None and out.lead_id is None
    assert "Which lead" in bot.last("priya")
    assert bot.state("priya") is None  # the expired state was removed


def test_details_without_state_need_a_company(bot: Bot) -> None:
    bot.new_lead("priya", "Acme")
    bot.say("priya", "Address: Pune", cmd("lead_details", details={"address": "Pune"}))
    assert "Which lead" in bot.last("priya")
    bot.say("priya", "Acme address: Pune", cmd("lead_details", company="Acme", details={"address": "Pune"}))
    assert bot.lead("Acme").address == "Pune" and "*Acme*" in bot.last("priya")


def test_a_new_command_clears_the_details_state(bot: Bot) -> None:
    bot.new_lead("priya", "Acme")
    bot.say("priya", "qualified Acme", cmd("qualify_lead", company="Acme"))
    bot.say("priya", "show my leads", cmd("list_leads"))
    assert bot.state("priya") is None


def test_chit_chat_keeps_waiting_for_details(bot: Bot) -> None:
    bot.new_lead("priya", "Acme")
    bot.say("priya", "qualified Acme", cmd("qualify_lead", company="Acme"))
    bot.say("priya", "thanks", cmd("unknown"))
    assert bot.state("priya") is not None
    bot.say("priya", "Address: Pune", cmd("lead_details", details={"address": "Pune"}))
    assert bot.lead("Acme").address == "Pune"


def test_qualify_does_not_move_status_backwards(bot: Bot) -> None:
    bot.new_lead("priya", "Acme")
    bot.say("priya", "demo Acme", cmd("schedule_demo", company="Acme", when="2026-11-27T11:00:00+05:30"))
    bot.say("priya", "qualified Acme", cmd("qualify_lead", company="Acme"))
    assert bot.lead("Acme").status == "demo_scheduled"


def test_parser_is_told_details_are_awaited(bot: Bot) -> None:
    bot.new_lead("priya", "Acme")
    bot.say("priya", "qualified Acme", cmd("qualify_lead", company="Acme"))
    bot.say("priya", "Pune, 5 crore", cmd("unknown"))
    assert bot.parser is not None
    assert bot.parser.calls[0][1].extra == {"awaiting": "details", "pending": "details of the lead Acme"}
