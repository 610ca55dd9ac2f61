"""Finding leads and people through the workflows: typos, suffixes, Devanagari, numbered choices, suggestions."""

from __future__ import annotations

from datetime import timedelta

from tests.workflows.conftest import Bot, cmd


def test_typo_and_suffix_find_the_lead(bot: Bot) -> None:
    lead = bot.new_lead("priya", "Sharma Traders Pvt Ltd")
    for written in ("sharma traders", "Sharma Tradrs", "SHARMA TRADERS LTD", "sharma  traders pvt. ltd."):
        out = bot.say("priya", f"status of {written}", cmd("lead_info", company=written))
        assert out.lead_id == lead.id, written
        assert "*Sharma Traders Pvt Ltd*" in bot.last("priya")


def test_devanagari_company_finds_latin_lead(bot: Bot) -> None:
    lead = bot.new_lead("priya", "Sharma Traders")
    out = bot.say("priya", "शर्मा ट्रेडर्स का स्टेटस", cmd("lead_info", company="शर्मा ट्रेडर्स"))
    assert out.lead_id == lead.id


def test_several_matches_give_a_numbered_choice_then_the_number_runs_the_command(bot: Bot) -> None:
    bot.new_lead("priya", "Sharma Traders")
    bot.new_lead("priya", "Sharma Steels")
    out = bot.say("priya", "meeting done for Sharma", cmd("meeting_done", company="Sharma", note="good"))
    assert out.lead_id is None
    reply = bot.last("priya")
    assert "1. *" in reply and "2. *" in reply and "Sharma Traders" in reply and "Sharma Steels" in reply
    state = bot.state("priya")
    assert state is not None and state.awaiting == "choose_lead"
    first_listed = reply.split("1. *")[1].split("*")[0]
    out = bot.say("priya", "1")
    assert bot.parser is not None and bot.parser.calls == []
    chosen = bot.lead(first_listed)
    assert out.intent == "meeting_done" and out.lead_id == chosen.id and out.via_state == "choose_lead"
    assert bot.events(chosen.id)[0].outcome == "good"
    assert bot.state("priya") is None


def test_choice_by_devanagari_digit(bot: Bot) -> None:
    bot.new_lead("priya", "Sharma Traders")
    bot.new_lead("priya", "Sharma Steels")
    bot.say("priya", "x", cmd("add_activity", company="Sharma", note="called"))
    out = bot.say("priya", "२")
    assert out.intent == "add_activity" and out.lead_id is not None


def test_choice_out_of_range_asks_again(bot: Bot) -> None:
    bot.new_lead("priya", "Sharma Traders")
    bot.new_lead("priya", "Sharma Steels")
    bot.say("priya", "x", cmd("lead_info", company="Sharma"))
    bot.say("priya", "7")
    assert "1 to 2" in bot.last("priya") and bot.state("priya") is not None


def test_choice_expires(bot: Bot) -> None:
    bot.new_lead("priya", "Sharma Traders")
    bot.new_lead("priya", "Sharma Steels")
    bot.say("priya", "x", cmd("lead_info", company="Sharma"))
    bot.clock.advance(timedelta(hours=3))
    out = bot.say("priya", "1")
    assert out.intent == "unknown" and bot.parser is not None and len(bot.parser.calls) == 1


def test_choice_bypassed_by_a_new_command(bot: Bot) -> None:
    bot.new_lead("priya", "Sharma Traders")
    bot.new_lead("priya", "Sharma Steels")
    bot.say("priya", "x", cmd("lead_info", company="Sharma"))
    bot.say("priya", "help", cmd("help"))
    assert bot.state("priya") is None and "What I can do" in bot.last("priya")


def test_exact_name_beats_partial_matches(bot: Bot) -> None:
    bot.new_lead("priya", "Sharma Traders")
    exact = bot.new_lead("priya", "Sharma")
    out = bot.say("priya", "x", cmd("lead_info", company="Sharma Pvt Ltd"))
    assert out.lead_id == exact.id


def test_not_found_suggests_the_closest(bot: Bot) -> None:
    bot.new_lead("priya", "Kumar Steels")
    out = bot.say("priya", "x", cmd("lead_info", company="Kumar Steel Works"))
    assert out.lead_id is None
    assert "Did you mean *Kumar Steels*" in bot.last("priya")


def test_not_found_without_suggestion(bot: Bot) -> None:
    bot.new_lead("priya", "Kumar Steels")
    bot.say("priya", "x", cmd("lead_info", company="Zeta Pharma"))
    assert "couldn't find" in bot.last("priya") and "*Zeta Pharma*" in bot.last("priya")


def test_people_found_by_username_name_and_devanagari(bot: Bot) -> None:
    for i, written in enumerate(("priya", "PRIYA", "Priya Sharma", "प्रिया", "@priya", "Priyaa")):
        company = f"Firm {i}"
        bot.say("amit", "x", cmd("new_lead", company=company, assignee=written))
        assert bot.lead(company).owner_id == bot.user("priya").id, written


def test_ambiguous_person_changes_nothing(bot: Bot) -> None:
    from crm_core.accounts import NewUser, create_user

    with bot.db.transaction() as s:
        create_user(s, NewUser("rahul.k", "Rahul Kumar", "+919876500098", leader="lata"))
        create_user(s, NewUser("rahul.m", "Rahul Mehta", "+919876500099", leader="lata"))
    bot.say("amit", "x", cmd("new_lead", company="Zen", assignee="Rahul"))
    assert bot.leads() == [] and "@rahul.k" in bot.last("amit") and "@rahul.m" in bot.last("amit")
    bot.say("amit", "x", cmd("new_lead", company="Zen", assignee="rahul.m"))
    assert bot.lead("Zen").owner_id == bot.user("rahul.m").id


def test_inactive_people_are_not_found(bot: Bot) -> None:
    from crm_core.db.models import User

    with bot.db.transaction() as s:
        s.get(User, bot.user("priya").id).active = False  # type: ignore[union-attr]
    bot.say("amit", "x", cmd("new_lead", company="Zen", assignee="Priya"))
    assert bot.leads() == []


def test_parse_context_carries_team_and_recent_leads(bot: Bot) -> None:
    bot.new_lead("priya", "Older Co")
    bot.clock.advance(timedelta(minutes=5))
    bot.new_lead("priya", "Newer Co")
    bot.new_lead("ravi", "Someone Elses")
    bot.say("priya", "hello")
    assert bot.parser is not None
    _, ctx = bot.parser.calls[0]
    assert ctx.recent_leads == ("Newer Co", "Older Co")
    assert "Priya Sharma" in ctx.team_names and ctx.sender_name == "Priya Sharma"
    assert str(ctx.tz) == "Asia/Kolkata" and ctx.now == bot.clock.now()


def test_choice_by_naming_the_lead(bot: Bot) -> None:
    bot.new_lead("priya", "Sharma Traders")
    steels = bot.new_lead("priya", "Sharma Steels")
    bot.say("priya", "x", cmd("lead_info", company="Sharma"))
    out = bot.say("priya", "sharma steels")
    assert out.lead_id == steels.id and out.intent == "lead_info" and bot.state("priya") is None


def test_choice_state_is_not_taken_by_a_command_naming_the_lead(bot: Bot) -> None:
    bot.new_lead("priya", "Sharma Traders")
    steels = bot.new_lead("priya", "Sharma Steels")
    bot.say("priya", "x", cmd("lead_info", company="Sharma"))
    out = bot.say("priya", "mark sharma steels won", cmd("mark_won", company="Sharma Steels"))
    assert out.intent == "mark_won" and bot.lead("Sharma Steels").status == "won" and out.lead_id == steels.id
