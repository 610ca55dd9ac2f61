"""Several commands in one message (`Command.also`): run in order, in one transaction, on the first one's lead."""

from __future__ import annotations

import pytest

from crm_core.commands import Doubt, Intent
from crm_core.errors import TransientError
from crm_core.handlers import HANDLERS
from crm_core.handlers.context import HandlerContext
from tests.conftest import IST
from tests.workflows.conftest import Bot, cmd
from tests.workflows.test_ask import UnsureParser

DEMO_KAL_12 = {"intent": "schedule_demo", "when": "2026-11-25T12:00:00+05:30"}


def _gupta(**extra: object):  # type: ignore[no-untyped-def]
    return cmd(
        "new_lead",
        company="Gupta Agencies",
        contact_name="Mohan",
        phone="+919811122334",
        also=[DEMO_KAL_12],
        **extra,
    )


def test_new_lead_assigned_and_demo_in_one_message(bot: Bot) -> None:
    out = bot.say(
        "priya", "new lead Gupta Agencies, Mohan 9811122334, assign to Amit, demo kal 12 baje", _gupta(assignee="Amit")
    )
    lead = bot.lead("Gupta Agencies")
    assert out.intent == "new_lead" and out.lead_id == lead.id
    assert lead.owner_id == bot.user("amit").id and lead.status == "demo_scheduled"
    (event,) = bot.events(lead.id)
    assert event.kind == "demo" and event.assignee_id == bot.user("amit").id
    assert event.starts_at.astimezone(IST).isoformat() == "2026-11-25T12:00:00+05:30"
    replies = bot.replies("priya")
    assert len(replies) == 2 and "✅ New lead *Gupta Agencies*" in replies[0]
    assert "Demo with *Gupta Agencies* on *Wed 25 Nov, 12:00 PM*" in replies[1]
    assert len(bot.notes("amit")) == 2  # the new lead, then the demo
    assert [a.kind for a in bot.activities(lead.id)] == ["lead_created", "demo_scheduled"]


def test_hinglish_follow_on_naming_the_same_company(bot: Bot) -> None:
    command = cmd(
        "new_lead",
        company="Desai Pharma",
        contact_name="Hetal",
        also=[{"intent": "schedule_meeting", "company": "desai pharma", "when": "2026-11-25T16:00:00+05:30"}],
    )
    bot.say("priya", "naya lead Desai Pharma Hetal, desai pharma ke saath kal 4 baje meeting", command)
    lead = bot.lead("Desai Pharma")
    assert [e.kind for e in bot.events(lead.id)] == ["meeting"] and lead.status == "meeting_scheduled"


def test_hindi_message_with_two_commands_gets_hindi_replies(bot: Bot) -> None:
    command = cmd("new_lead", company="शर्मा ट्रेडर्स", assignee="अमित", also=[DEMO_KAL_12])
    bot.say("priya", "नई लीड शर्मा ट्रेडर्स, अमित को, डेमो कल 12 बजे", command)
    lead = bot.lead("शर्मा ट्रेडर्स")
    replies = bot.replies("priya")
    assert len(replies) == 2 and "बन गई" in replies[0] and "डेमो" in replies[1] and "बुध 25 नव" in replies[1]
    assert bot.events(lead.id)[0].assignee_id == bot.user("amit").id


def test_first_command_failing_stops_the_follow_ons(bot: Bot) -> None:
    command = cmd("qualify_lead", company="Nowhere Ltd", also=[DEMO_KAL_12])
    bot.say("priya", "Nowhere Ltd qualified, demo kal 12 baje", command)
    replies = bot.replies("priya")
    assert "couldn't find" in replies[0]
    assert replies[1] == (
        "⚠️ Not done, because the first part didn't go through: demo with *Nowhere Ltd* on Wed 25 Nov, 12:00 PM."
    )
    assert bot.leads() == []


def test_unknown_owner_stops_the_follow_ons_and_writes_nothing(bot: Bot) -> None:
    bot.say("priya", "new lead Gupta Agencies, Bholu, demo kal 12 baje", _gupta(assignee="Bholu"))
    assert bot.leads() == [] and "Not done" in bot.last("priya")


def test_follow_on_that_changes_nothing_is_not_applied_on_a_closed_lead(bot: Bot) -> None:
    bot.new_lead("priya", "Acme")
    bot.say("priya", "won", cmd("mark_won", company="Acme"))
    bot.say(
        "priya",
        "Acme won, add note: paid",
        cmd("mark_won", company="Acme", also=[{"intent": "add_activity", "note": "paid"}]),
    )
    assert "already marked" in bot.replies("priya")[-2] and "Not done" in bot.last("priya")


def test_a_duplicate_keeps_the_follow_ons_until_yes(bot: Bot) -> None:
    first = bot.new_lead("priya", "Gupta Agencies")
    bot.say("priya", "new lead Gupta Agencies, Mohan, demo kal 12 baje", _gupta())
    assert "already exists" in bot.replies("priya")[-2]
    assert (
        bot.last("priya")
        == "The rest (demo with *Gupta Agencies* on Wed 25 Nov, 12:00 PM) will follow once you answer."
    )
    assert bot.events(first.id) == []
    out = bot.say("priya", "haan bana do")
    second = next(lead for lead in bot.leads() if lead.id != first.id)
    assert out.lead_id == second.id and len(bot.events(second.id)) == 1 and bot.events(first.id) == []


def test_a_duplicate_declined_drops_the_follow_ons(bot: Bot) -> None:
    first = bot.new_lead("priya", "Gupta Agencies")
    bot.say("priya", "new lead Gupta Agencies, Mohan, demo kal 12 baje", _gupta())
    bot.say("priya", "nahi")
    assert len(bot.leads()) == 1 and bot.events(first.id) == [] and bot.state("priya") is None


def test_a_choice_keeps_the_follow_ons_for_the_chosen_lead(bot: Bot) -> None:
    bot.new_lead("priya", "Sharma Traders")
    steels = bot.new_lead("priya", "Sharma Steels")
    command = cmd("qualify_lead", company="Sharma", also=[{"intent": "add_activity", "note": "sent brochure"}])
    bot.say("priya", "Sharma qualified, sent brochure", command)
    assert "1. *" in bot.replies("priya")[-2] and "will follow once you answer" in bot.last("priya")
    bot.say("priya", "Sharma Steels")
    chosen = bot.lead("Sharma Steels")
    assert chosen.status == "qualified" and [a.text for a in bot.activities(steels.id)][-1] == "sent brochure"
    assert bot.lead("Sharma Traders").status == "new"


def test_a_follow_on_naming_another_lead_acts_on_it(bot: Bot) -> None:
    other = bot.new_lead("priya", "Kumar Steels")
    command = cmd("new_lead", company="Acme", also=[{"intent": "add_activity", "company": "Kumar Steels", "note": "x"}])
    bot.say("priya", "new lead Acme; note for Kumar Steels: x", command)
    assert [a.text for a in bot.activities(other.id)][-1] == "x"
    assert [a.kind for a in bot.activities(bot.lead("Acme").id)] == ["lead_created"]


def test_every_command_runs_in_the_one_transaction(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(ctx: HandlerContext, req: object) -> None:
        raise TransientError("database paused")

    monkeypatch.setitem(HANDLERS, Intent.SCHEDULE_DEMO, boom)
    with pytest.raises(TransientError):
        bot.say("priya", "new lead Gupta Agencies, demo kal 12 baje", _gupta())
    assert bot.leads() == [] and bot.count_outbox() == 0  # the lead created first was rolled back too


def test_an_unsure_message_with_two_commands_is_asked_once_and_yes_runs_both(bot: Bot) -> None:
    unsure = cmd("new_lead", company="Gupta Agencies", contact_name="Mohan", also=[DEMO_KAL_12])
    parser = UnsureParser(unsure, [Doubt.PHONE], {"phone": "98111 2233"})
    bot.say("priya", "new lead Gupta Agencies Mohan 98111 2233 demo kal 12 baje", parser=parser)
    assert bot.leads() == []
    assert bot.last("priya").startswith(
        "🤔 New lead *Gupta Agencies*, contact Mohan; then demo with *Gupta Agencies* on Wed 25 Nov, 12:00 PM — "
        "the phone 98111 2233 has 9 digits"
    )
    bot.say("priya", "yes")
    lead = bot.lead("Gupta Agencies")
    assert len(bot.events(lead.id)) == 1


def test_an_unsure_follow_on_in_the_past_is_asked_about_then_both_run(bot: Bot) -> None:
    past = cmd(
        "new_lead", company="Gupta Agencies", also=[{"intent": "schedule_demo", "when": "2026-11-24T09:00:00+05:30"}]
    )
    bot.say("priya", "new lead Gupta Agencies, demo aaj 9 baje", parser=UnsureParser(past, [Doubt.WHEN]))
    assert "Tue 24 Nov, 9:00 AM is already past; when should the demo be?" in bot.last("priya")
    bot.say("priya", "kal 12 baje")
    lead = bot.lead("Gupta Agencies")
    assert bot.events(lead.id)[0].starts_at.astimezone(IST).isoformat() == "2026-11-25T12:00:00+05:30"
