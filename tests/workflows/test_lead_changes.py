"""add_activity, reassign_lead, mark_won and mark_lost."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.workflows.conftest import Bot, FakeNurture, cmd

KAL_4PM = "2026-11-25T16:00:00+05:30"


def test_add_activity_logs_the_note(bot: Bot) -> None:
    lead = bot.new_lead("priya", "Acme")
    out = bot.say(
        "priya", "Add activity for Acme, called", cmd("add_activity", company="Acme", note="Called, wants proposal")
    )
    assert out.intent == "add_activity" and out.lead_id == lead.id
    last = bot.activities(lead.id)[-1]
    assert (last.kind, last.text, last.actor_id) == ("note", "Called, wants proposal", bot.user("priya").id)
    assert "*Acme*" in bot.last("priya") and "Called, wants proposal" in bot.last("priya")


def test_add_activity_without_text_asks(bot: Bot) -> None:
    lead = bot.new_lead("priya", "Acme")
    bot.say("priya", "activity Acme", cmd("add_activity", company="Acme"))
    assert len(bot.activities(lead.id)) == 1 and "What should I note" in bot.last("priya")


def test_reassign_moves_owner_events_and_followups(bot: Bot, nurture: FakeNurture) -> None:
    lead = bot.new_lead("priya", "Acme", phone="+919876501234")
    bot.say("priya", "x", cmd("schedule_demo", company="Acme", when=KAL_4PM))
    out = bot.say("lata", "Reassign Acme to Amit", cmd("reassign_lead", company="Acme", assignee="Amit"))
    assert out.intent == "reassign_lead" and out.lead_id == lead.id
    assert bot.lead("Acme").owner_id == bot.user("amit").id
    assert bot.events(lead.id)[0].assignee_id == bot.user("amit").id
    [call] = nurture.moved
    assert call["lead"].id == lead.id and call["new_owner"].username == "amit"
    assert call["actor_id"] == bot.user("lata").id and call["now"] == bot.clock.now()
    reply = bot.last("lata")
    assert "*Acme*" in reply and "Amit Verma" in reply and "Priya Sharma" in reply and "1 upcoming event" in reply
    assert any("Acme" in n and "+91 98765 01234" in n for n in bot.notes("amit"))
    assert any("moved *Acme* to Amit Verma" in n for n in bot.notes("priya"))
    assert bot.activities(lead.id)[-1].kind == "reassigned"


def test_reassign_leaves_past_events_alone(bot: Bot) -> None:
    lead = bot.new_lead("priya", "Acme")
    bot.say("priya", "x", cmd("meeting_done", company="Acme"))
    bot.say("priya", "x", cmd("reassign_lead", company="Acme", assignee="amit"))
    assert bot.events(lead.id)[0].assignee_id == bot.user("priya").id


def test_reassign_to_the_same_owner_or_nobody(bot: Bot, nurture: FakeNurture) -> None:
    bot.new_lead("priya", "Acme")
    bot.say("priya", "x", cmd("reassign_lead", company="Acme", assignee="Priya"))
    assert "already with" in bot.last("priya")
    bot.say("priya", "x", cmd("reassign_lead", company="Acme"))
    assert "to whom" in bot.last("priya")
    assert nurture.moved == []


def test_mark_won_cancels_followups_and_future_events(bot: Bot, nurture: FakeNurture) -> None:
    lead = bot.new_lead("amit", "Acme", assignee="Priya")
    bot.say("amit", "x", cmd("schedule_meeting", company="Acme", when=KAL_4PM))
    out = bot.say("amit", "Deal closed for Acme", cmd("mark_won", company="Acme"))
    assert out.intent == "mark_won"
    assert bot.lead("Acme").status == "won"
    assert bot.events(lead.id)[0].status == "cancelled"
    [call] = nurture.cancelled
    assert call["lead"].id == lead.id and call["actor_id"] == bot.user("amit").id and call["reason"]
    assert "*Acme*" in bot.last("amit") and "3 pending follow-up" in bot.last("amit")
    assert any("won" in n for n in bot.notes("priya"))
    assert bot.activities(lead.id)[-1].kind == "won"


def test_mark_lost_keeps_the_reason(bot: Bot, nurture: FakeNurture) -> None:
    lead = bot.new_lead("priya", "Kumar Steels")
    bot.say(
        "priya",
        "Kumar Steels lost - went with a competitor",
        cmd("mark_lost", company="Kumar Steels", note="went with a competitor"),
    )
    saved = bot.lead("Kumar Steels")
    assert saved.status == "lost" and saved.lost_reason == "went with a competitor"
    assert "went with a competitor" in bot.last("priya") and "*Kumar Steels*" in bot.last("priya")
    assert "went with a competitor" in bot.activities(lead.id)[-1].text
    assert len(nurture.cancelled) == 1


def test_mark_won_twice_says_so(bot: Bot, nurture: FakeNurture) -> None:
    bot.new_lead("priya", "Acme")
    bot.say("priya", "x", cmd("mark_won", company="Acme"))
    bot.say("priya", "x", cmd("mark_won", company="Acme"))
    assert "already marked" in bot.last("priya") and len(nurture.cancelled) == 1


def test_closed_lead_status_is_not_moved_by_events(bot: Bot) -> None:
    bot.new_lead("priya", "Acme")
    bot.say("priya", "x", cmd("mark_lost", company="Acme"))
    bot.say("priya", "x", cmd("schedule_meeting", company="Acme", when=KAL_4PM))
    assert bot.lead("Acme").status == "lost"


def test_event_times_are_stored_in_utc(bot: Bot) -> None:
    lead = bot.new_lead("priya", "Acme")
    bot.say("priya", "x", cmd("schedule_meeting", company="Acme", when="2026-11-25T09:00:00+05:30"))
    assert bot.events(lead.id)[0].starts_at == datetime(2026, 11, 25, 3, 30, tzinfo=UTC)
