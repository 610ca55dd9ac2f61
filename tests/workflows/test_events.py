"""Meetings and demos: schedule, reschedule, clash warnings, past times, default times, done, nurture start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import IST
from tests.workflows.conftest import Bot, FakeNurture, cmd

KAL_4PM = "2026-11-25T16:00:00+05:30"  # "kal 4 baje" at Tue 24 Nov 10:00 IST


def test_schedule_meeting_echoes_time_in_words_and_notifies_owner(bot: Bot) -> None:
    lead = bot.new_lead("amit", "Acme", assignee="Priya")
    out = bot.say("amit", "Acme ke saath kal 4 baje meeting", cmd("schedule_meeting", company="Acme", when=KAL_4PM))
    assert out.intent == "schedule_meeting" and out.lead_id == lead.id
    reply = bot.last("amit")
    assert "Wed 25 Nov, 4:00 PM" in reply and "*Acme*" in reply and "Priya Sharma" in reply
    [event] = bot.events(lead.id)
    assert event.kind == "meeting" and event.status == "scheduled"
    assert event.starts_at == datetime(2026, 11, 25, 10, 30, tzinfo=UTC)
    assert event.assignee_id == bot.user("priya").id and event.created_by_id == bot.user("amit").id
    assert bot.lead("Acme").status == "meeting_scheduled"
    assert any("Wed 25 Nov, 4:00 PM" in n for n in bot.notes("priya"))
    assert bot.activities(lead.id)[-1].kind == "meeting_scheduled"


def test_schedule_for_a_named_assignee(bot: Bot) -> None:
    lead = bot.new_lead("priya", "Acme")
    bot.say("priya", "demo Acme kal 4 baje Amit", cmd("schedule_demo", company="Acme", when=KAL_4PM, assignee="amit"))
    assert bot.events(lead.id)[0].assignee_id == bot.user("amit").id
    assert any("Demo" in n and "Acme" in n for n in bot.notes("amit"))
    assert bot.lead("Acme").status == "demo_scheduled"


def test_past_time_is_refused_and_changes_nothing(bot: Bot) -> None:
    lead = bot.new_lead("priya", "Acme")
    bot.say(
        "priya", "meeting Acme yesterday 4pm", cmd("schedule_meeting", company="Acme", when="2026-11-23T16:00:00+05:30")
    )
    assert bot.events(lead.id) == []
    reply = bot.last("priya")
    assert "past" in reply and "Mon 23 Nov, 4:00 PM" in reply and "*Acme*" in reply
    assert bot.lead("Acme").status == "new"


def test_earlier_today_is_past(bot: Bot) -> None:
    lead = bot.new_lead("priya", "Acme")
    bot.say(
        "priya", "meeting Acme aaj 9 baje", cmd("schedule_meeting", company="Acme", when="2026-11-24T09:00:00+05:30")
    )
    assert bot.events(lead.id) == [] and "past" in bot.last("priya")


def test_date_only_gets_a_default_time_and_says_so(bot: Bot) -> None:
    lead = bot.new_lead("priya", "Acme")
    bot.say("priya", "demo Acme on 27 Nov", cmd("schedule_demo", company="Acme", when="2026-11-27"))
    [event] = bot.events(lead.id)
    assert event.has_time is False
    reply = bot.last("priya")
    assert "Fri 27 Nov, 11:00 AM" in reply and "No time was given" in reply


def test_date_only_today_after_default_uses_next_hour(bot: Bot) -> None:
    bot.clock.set(datetime(2026, 11, 24, 18, 50, tzinfo=IST))
    lead = bot.new_lead("priya", "Acme")
    bot.say("priya", "meeting Acme today", cmd("schedule_meeting", company="Acme", when="2026-11-24"))
    [event] = bot.events(lead.id)
    assert "Tue 24 Nov, 7:00 PM" in bot.last("priya")  # 18:50 -> the next full hour
    assert event.has_time is False


def test_date_only_for_a_past_day_is_refused(bot: Bot) -> None:
    lead = bot.new_lead("priya", "Acme")
    bot.say("priya", "meeting Acme 20 Nov", cmd("schedule_meeting", company="Acme", when="2026-11-20"))
    assert bot.events(lead.id) == [] and "Fri 20 Nov" in bot.last("priya") and "past" in bot.last("priya")


def test_missing_time_asks_when(bot: Bot) -> None:
    lead = bot.new_lead("priya", "Acme")
    bot.say("priya", "schedule demo Acme", cmd("schedule_demo", company="Acme"))
    assert bot.events(lead.id) == [] and "When" in bot.last("priya")


def test_clash_within_30_minutes_warns_but_schedules(bot: Bot) -> None:
    bot.new_lead("priya", "Kumar Steels")
    lead = bot.new_lead("priya", "Acme")
    bot.say("priya", "x", cmd("schedule_demo", company="Kumar Steels", when="2026-11-25T16:15:00+05:30"))
    bot.say("priya", "x", cmd("schedule_meeting", company="Acme", when=KAL_4PM))
    assert len(bot.events(lead.id)) == 1
    reply = bot.last("priya")
    assert "⚠️" in reply and "*Kumar Steels*" in reply and "4:15 PM" in reply


def test_no_clash_at_30_minutes_or_for_someone_else(bot: Bot) -> None:
    bot.new_lead("priya", "Kumar Steels")
    bot.new_lead("priya", "Acme")
    bot.say("priya", "x", cmd("schedule_demo", company="Kumar Steels", when="2026-11-25T16:30:00+05:30"))
    bot.say("priya", "x", cmd("schedule_meeting", company="Acme", when=KAL_4PM, assignee="Amit"))
    assert "⚠️" not in bot.last("priya")
    bot.say("priya", "x", cmd("schedule_meeting", company="Acme", when="2026-11-25T17:00:00+05:30"))
    assert "⚠️" not in bot.last("priya")


def test_reschedule_moves_the_event(bot: Bot) -> None:
    lead = bot.new_lead("amit", "Acme", assignee="Priya")
    bot.say("amit", "x", cmd("schedule_meeting", company="Acme", when=KAL_4PM))
    out = bot.say("amit", "reschedule", cmd("reschedule_meeting", company="Acme", when="2026-11-29T16:00:00+05:30"))
    [event] = bot.events(lead.id)
    assert out.intent == "reschedule_meeting"
    assert event.starts_at == datetime(2026, 11, 29, 10, 30, tzinfo=UTC)
    reply = bot.last("amit")
    assert "Sun 29 Nov, 4:00 PM" in reply and "Wed 25 Nov, 4:00 PM" in reply
    assert any("moved" in n and "Sun 29 Nov" in n for n in bot.notes("priya"))
    assert bot.activities(lead.id)[-1].kind == "meeting_rescheduled"


def test_reschedule_to_someone_else_tells_both(bot: Bot) -> None:
    lead = bot.new_lead("lata", "Acme", assignee="Priya")
    bot.say("lata", "x", cmd("schedule_demo", company="Acme", when=KAL_4PM))
    bot.say("lata", "x", cmd("reschedule_demo", company="Acme", when="2026-11-26T12:00:00+05:30", assignee="Amit"))
    assert bot.events(lead.id)[0].assignee_id == bot.user("amit").id
    assert any("now with Amit Verma" in n for n in bot.notes("priya"))
    assert any("Thu 26 Nov, 12:00 PM" in n for n in bot.notes("amit"))


def test_reschedule_without_an_event_creates_one(bot: Bot) -> None:
    lead = bot.new_lead("priya", "Acme")
    bot.say("priya", "x", cmd("reschedule_demo", company="Acme", when=KAL_4PM))
    assert len(bot.events(lead.id)) == 1 and "No demo was scheduled" in bot.last("priya")


def test_reschedule_to_the_past_keeps_the_event(bot: Bot) -> None:
    lead = bot.new_lead("priya", "Acme")
    bot.say("priya", "x", cmd("schedule_demo", company="Acme", when=KAL_4PM))
    bot.say("priya", "x", cmd("reschedule_demo", company="Acme", when="2026-11-20T16:00:00+05:30"))
    assert bot.events(lead.id)[0].starts_at == datetime(2026, 11, 25, 10, 30, tzinfo=UTC)
    assert "past" in bot.last("priya")


def test_meeting_done_records_outcome_and_advances(bot: Bot, nurture: FakeNurture) -> None:
    lead = bot.new_lead("priya", "Acme")
    bot.say("priya", "x", cmd("schedule_meeting", company="Acme", when=KAL_4PM))
    bot.clock.advance(timedelta(days=1, hours=8))
    out = bot.say(
        "priya", "Meeting done for Acme. Very interested.", cmd("meeting_done", company="Acme", note="Very interested.")
    )
    [event] = bot.events(lead.id)
    assert out.intent == "meeting_done"
    assert event.status == "done" and event.outcome == "Very interested." and event.completed_at == bot.clock.now()
    assert bot.lead("Acme").status == "meeting_done"
    assert "Very interested." in bot.activities(lead.id)[-1].text
    assert "Very interested." in bot.last("priya") and "*Acme*" in bot.last("priya")
    assert nurture.started == []


def test_meeting_done_without_a_scheduled_one_records_it(bot: Bot) -> None:
    lead = bot.new_lead("priya", "Acme")
    bot.say("priya", "x", cmd("meeting_done", company="Acme", note="Good chat"))
    [event] = bot.events(lead.id)
    assert event.status == "done" and event.starts_at == bot.clock.now()


def test_demo_done_starts_the_nurture_sequence(bot: Bot, nurture: FakeNurture) -> None:
    lead = bot.new_lead("amit", "Acme", assignee="Priya")
    bot.say("amit", "x", cmd("schedule_demo", company="Acme", when=KAL_4PM))
    bot.clock.advance(timedelta(days=1, hours=8))
    bot.say("amit", "demo done Acme", cmd("demo_done", company="Acme", note="Loved it"))
    [event] = bot.events(lead.id)
    assert bot.lead("Acme").status == "demo_done"
    [call] = nurture.started
    assert call["lead"].id == lead.id and call["assignee"].username == "priya"
    assert call["actor_id"] == bot.user("amit").id and call["demo_event_id"] == event.id
    assert call["now"] == bot.clock.now() and call["settings"] is bot.settings
    assert "Follow-up messages" in bot.last("amit")
    assert any("Demo done" in n for n in bot.notes("priya"))


def test_demo_done_twice_reuses_the_done_demo(bot: Bot, nurture: FakeNurture) -> None:
    lead = bot.new_lead("priya", "Acme")
    bot.say("priya", "x", cmd("demo_done", company="Acme"))
    bot.say("priya", "x", cmd("demo_done", company="Acme"))
    assert len(bot.events(lead.id)) == 1
    assert {c["demo_event_id"] for c in nurture.started} == {bot.events(lead.id)[0].id}


def test_date_only_today_late_evening_is_refused(bot: Bot) -> None:
    bot.clock.set(datetime(2026, 11, 24, 19, 30, tzinfo=IST))
    lead = bot.new_lead("priya", "Acme")
    bot.say("priya", "meeting Acme today", cmd("schedule_meeting", company="Acme", when="2026-11-24"))
    assert bot.events(lead.id) == [] and "Tue 24 Nov" in bot.last("priya")
