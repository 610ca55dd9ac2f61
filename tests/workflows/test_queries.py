"""list_tasks, list_leads, lead_info, help and unknown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crm_core.outbox import record
from tests.conftest import IST
from tests.workflows.conftest import Bot, cmd


def _reminder(bot: Bot, username: str, company: str, due: datetime, status: str = "pending") -> None:
    from crm_core.db.models import User

    user_id, lead_id = bot.user(username).id, bot.lead(company).id
    with bot.db.transaction() as s:
        user = s.get(User, user_id)
        assert user is not None
        row = record(
            s,
            to=user,
            body=f"Follow-up 1/3 for *{company}*\nForward this: hello",
            kind="reminder",
            due_at=due,
            lead_id=lead_id,
        )
        row.status = status


def test_list_tasks_today_shows_events_and_followups(bot: Bot) -> None:
    bot.new_lead("priya", "Acme")
    bot.new_lead("priya", "Kumar Steels")
    bot.new_lead("amit", "Other Co")
    bot.say("priya", "x", cmd("schedule_demo", company="Acme", when="2026-11-24T16:00:00+05:30"))
    bot.say("priya", "x", cmd("schedule_meeting", company="Acme", when="2026-11-25T16:00:00+05:30"))
    bot.say("amit", "x", cmd("schedule_meeting", company="Other Co", when="2026-11-24T17:00:00+05:30"))
    _reminder(bot, "priya", "Kumar Steels", datetime(2026, 11, 24, 12, 0, tzinfo=IST))
    _reminder(bot, "priya", "Kumar Steels", datetime(2026, 11, 24, 13, 0, tzinfo=IST), status="sent")
    _reminder(bot, "priya", "Kumar Steels", datetime(2026, 11, 25, 10, 0, tzinfo=IST))
    out = bot.say("priya", "my tasks today", cmd("list_tasks"))
    assert out.intent == "list_tasks"
    reply = bot.last("priya")
    assert "Tue 24 Nov" in reply and "4:00 PM Demo" in reply and "*Acme*" in reply
    assert "12:00 PM *Kumar Steels*" in reply
    assert "Other Co" not in reply and reply.count("Kumar Steels") == 1 and "Meeting" not in reply.split("*Meetings")[1]


def test_list_tasks_for_tomorrow(bot: Bot) -> None:
    bot.new_lead("priya", "Acme")
    bot.say("priya", "x", cmd("schedule_meeting", company="Acme", when="2026-11-25T16:00:00+05:30"))
    bot.say("priya", "kal ke tasks", cmd("list_tasks", when="2026-11-25"))
    assert "Wed 25 Nov" in bot.last("priya") and "4:00 PM Meeting" in bot.last("priya")


def test_list_tasks_nothing(bot: Bot) -> None:
    bot.say("priya", "tasks", cmd("list_tasks"))
    assert "Nothing scheduled" in bot.last("priya") and "Tue 24 Nov" in bot.last("priya")


def test_list_tasks_late_evening_uses_the_team_day(bot: Bot) -> None:
    bot.clock.set(datetime(2026, 11, 24, 23, 30, tzinfo=IST))  # 18:00 UTC: still the 24th in India
    bot.say("priya", "tasks", cmd("list_tasks"))
    assert "Tue 24 Nov" in bot.last("priya")


def test_list_leads_open_newest_first(bot: Bot) -> None:
    bot.new_lead("priya", "Old Co")
    bot.clock.advance(timedelta(minutes=1))
    bot.new_lead("priya", "New Co")
    bot.new_lead("priya", "Gone Co")
    bot.new_lead("amit", "Amits Co")
    bot.say("priya", "x", cmd("mark_lost", company="Gone Co"))
    bot.say("priya", "show my leads", cmd("list_leads"))
    reply = bot.last("priya")
    assert "(2)" in reply and reply.index("New Co") < reply.index("Old Co")
    assert "Gone Co" not in reply and "Amits Co" not in reply and "— New" in reply


def test_list_leads_caps_the_list(bot: Bot) -> None:
    for i in range(12):
        bot.new_lead("priya", f"Firm {i}")
    bot.say("priya", "x", cmd("list_leads"))
    reply = bot.last("priya")
    assert "(12)" in reply and "and 2 more" in reply and reply.count("\n") == 11


def test_list_leads_none(bot: Bot) -> None:
    bot.say("priya", "x", cmd("list_leads"))
    assert "no open leads" in bot.last("priya")


def test_lead_info_shows_status_owner_next_event_last_activity(bot: Bot) -> None:
    bot.new_lead("amit", "Acme", assignee="Priya", contact_name="Rohit", phone="+919876501234")
    bot.say("amit", "x", cmd("schedule_demo", company="Acme", when="2026-11-27T11:00:00+05:30"))
    bot.say("amit", "x", cmd("add_activity", company="Acme", note="Sent the brochure"))
    out = bot.say("amit", "status of Acme?", cmd("lead_info", company="Acme"))
    reply = bot.last("amit")
    assert out.lead_id == bot.lead("Acme").id
    assert "*Acme*" in reply and "Demo scheduled" in reply and "Priya Sharma" in reply
    assert "Demo Fri 27 Nov, 11:00 AM" in reply and "Sent the brochure" in reply and "Rohit" in reply


def test_lead_info_with_nothing_scheduled(bot: Bot) -> None:
    bot.new_lead("priya", "Acme")
    bot.say("priya", "x", cmd("lead_info", company="Acme"))
    assert "nothing scheduled" in bot.last("priya")


def test_lead_info_without_a_company_asks(bot: Bot) -> None:
    bot.say("priya", "status?", cmd("lead_info"))
    assert "Which lead" in bot.last("priya")


def test_help_has_english_and_hinglish_examples(bot: Bot) -> None:
    out = bot.say("priya", "help", cmd("help"))
    reply = bot.last("priya")
    assert out.intent == "help" and "New lead:" in reply and "kal 4 baje" in reply and "dikhao" in reply


def test_unknown_is_friendly_and_changes_nothing(bot: Bot) -> None:
    bot.new_lead("priya", "Acme")
    before = bot.count_outbox()
    out = bot.say("priya", "thanks!", cmd("unknown"))
    assert out.intent == "unknown" and out.lead_id is None
    assert bot.count_outbox() == before + 1 and "help" in bot.last("priya")
    assert len(bot.activities(bot.lead("Acme").id)) == 1


def test_replies_are_outbox_rows_to_the_sender(bot: Bot) -> None:
    bot.say("priya", "help", cmd("help"))
    [row] = bot.rows("priya")
    assert (row.kind, row.channel, row.recipient, row.status) == ("reply", "whatsapp", "+919876500003", "pending")
    assert row.due_at == datetime(2026, 11, 24, 4, 30, tzinfo=UTC)
