"""#13 in real words through respond() with the app's offline parser: every question has an answer it understands,
cancelling with a reason, postponing without a date, reminders and follow-ups — in English, Hinglish and Hindi.

The clock stands at Tue 24 Nov 2026, 10:00 IST.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from crm_core.db.models import Outbox
from crm_core.parsing.hybrid import build_parser
from crm_core.settings import Settings
from tests.workflows.conftest import Bot, cmd


@pytest.fixture
def parser(settings: Settings):  # type: ignore[no-untyped-def]
    """The app's parser without GPT: the rules, asking when unsure."""
    assert not settings.llm_configured
    return build_parser(settings)


def say(bot: Bot, parser, who: str, text: str) -> str:  # type: ignore[no-untyped-def]
    bot.say(who, text, parser=parser)
    return bot.last(who)


def reminders(bot: Bot, username: str) -> list[Outbox]:
    with bot.db.transaction() as s:
        user = bot.user(username)
        stmt = select(Outbox).where(Outbox.recipient_user_id == user.id, Outbox.kind == "reminder")
        return list(s.scalars(stmt.order_by(Outbox.id)))


# --- (a) every question has an answer it understands --------------------------------------------------------


@pytest.mark.parametrize(
    ("ask", "answer", "when"),
    [
        ("Schedule a meeting with Desai Pharma", "wednesday 3 baje", "Wed 25 Nov, 3:00 PM"),
        ("Desai Pharma ke saath demo rakho", "kal subah 11 baje", "Wed 25 Nov, 11:00 AM"),
        ("book a meeting with Desai Pharma", "Friday 4pm", "Fri 27 Nov, 4:00 PM"),
    ],
)
def test_when_question_is_answered_by_a_day_and_time(bot: Bot, parser, ask: str, answer: str, when: str) -> None:  # type: ignore[no-untyped-def]
    lead = bot.new_lead("priya", "Desai Pharma")
    question = say(bot, parser, "priya", ask)
    assert "Desai Pharma" in question and "?" in question and "27 Nov" in question  # example relative to today
    assert bot.events(lead.id) == []
    reply = say(bot, parser, "priya", answer)
    assert when in reply and len(bot.events(lead.id)) == 1 and bot.state("priya") is None


def test_when_question_survives_chit_chat_and_yields_to_a_new_command(bot: Bot, parser) -> None:  # type: ignore[no-untyped-def]
    lead = bot.new_lead("priya", "Desai Pharma")
    say(bot, parser, "priya", "Schedule a meeting with Desai Pharma")
    again = say(bot, parser, "priya", "ok")
    assert "Desai Pharma" in again and bot.state("priya") is not None  # asked again, still waiting
    say(bot, parser, "priya", "show my leads")
    assert bot.state("priya") is None and bot.events(lead.id) == []  # a new command replaced the wait


def test_when_question_expires(bot: Bot, parser) -> None:  # type: ignore[no-untyped-def]
    lead = bot.new_lead("priya", "Desai Pharma")
    say(bot, parser, "priya", "Schedule a meeting with Desai Pharma")
    bot.clock.advance(timedelta(hours=3))
    say(bot, parser, "priya", "thursday 3 baje")
    assert bot.events(lead.id) == []


def test_which_lead_question_is_answered_by_a_company(bot: Bot, parser) -> None:  # type: ignore[no-untyped-def]
    bot.new_lead("priya", "Kumar Steels")
    bot.new_lead("priya", "Desai Pharma")
    question = say(bot, parser, "priya", "status?")
    assert "Which lead" in question
    reply = say(bot, parser, "priya", "Kumar Steels")
    assert "*Kumar Steels*" in reply and "Status" in reply


@pytest.mark.parametrize(
    ("answer", "expect"),
    [
        ("Pune, 5 crore, Tally, manual billing", {"address": "Pune", "turnover": "5 crore", "current_system": "Tally"}),
        ("पुणे, 5 करोड़, टैली, हिसाब में देरी", {"address": "पुणे", "turnover": "5 करोड़", "current_system": "टैली"}),
    ],
)
def test_unlabelled_details_are_saved_to_the_awaited_lead(bot: Bot, parser, answer: str, expect: dict) -> None:  # type: ignore[no-untyped-def]
    bot.new_lead("priya", "Desai Pharma")
    say(bot, parser, "priya", "Lead qualified for Desai Pharma")
    echo = say(bot, parser, "priya", answer)  # placed by look and order: echoed with labels, saved on yes
    assert "Desai Pharma" in echo and bot.lead("Desai Pharma").address is None
    say(bot, parser, "priya", "haan" if answer.isascii() else "हाँ")
    lead = bot.lead("Desai Pharma")
    for key, value in expect.items():
        assert getattr(lead, key) == value, (key, echo)
    assert lead.challenges


def test_one_missing_detail_is_the_whole_reply(bot: Bot, parser) -> None:  # type: ignore[no-untyped-def]
    bot.new_lead("priya", "Desai Pharma")
    say(bot, parser, "priya", "Lead qualified for Desai Pharma")
    details = {"address": "MG Road, Pune", "turnover": "5 crore", "current_system": "Tally"}
    bot.say(
        "priya",
        "Address: MG Road, Pune. Turnover: 5 crore. Current system: Tally",
        cmd("lead_details", details=details),
    )
    assert bot.state("priya") is not None
    assert "challenges" in say(bot, parser, "priya", "follow-ups get missed")
    say(bot, parser, "priya", "yes")
    assert bot.lead("Desai Pharma").challenges == "follow-ups get missed" and bot.state("priya") is None


# --- (b) cancel, postpone ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("cancel the meeting with Desai Pharma, client is travelling", "client is travelling"),
        ("client busy hai, Desai Pharma wali meeting cancel kar do", "client busy"),
        ("Desai Pharma ki meeting cancel karo", None),
    ],
)
def test_cancel_a_meeting_keeps_the_reason_and_tells_the_assignee(bot: Bot, parser, text: str, reason) -> None:  # type: ignore[no-untyped-def]
    lead = bot.new_lead("priya", "Desai Pharma")
    say(bot, parser, "priya", "meeting with Desai Pharma kal 4 baje, Amit")
    reply = say(bot, parser, "priya", text)
    (event,) = bot.events(lead.id)
    assert event.status == "cancelled" and event.outcome == reason and "🚫" in reply
    cancelled = [a for a in bot.activities(lead.id) if a.kind == "meeting_cancelled"]
    assert len(cancelled) == 1 and (cancelled[0].data or {}).get("reason") == reason
    assert any("cancelled by Priya" in n for n in bot.notes("amit"))


def test_cancel_a_demo_in_hindi(bot: Bot, parser) -> None:  # type: ignore[no-untyped-def]
    lead = bot.new_lead("priya", "लोटस इंटीरियर्स")
    say(bot, parser, "priya", "लोटस इंटीरियर्स का डेमो कल 4 बजे रखो")
    say(bot, parser, "priya", "हाँ")  # the bot was not sure of that one, and asked
    reply = say(bot, parser, "priya", "लोटस इंटीरियर्स का डेमो रद्द करो, बजट नहीं है")
    assert "रद्द" in reply and bot.events(lead.id)[0].status == "cancelled"


def test_cancel_with_nothing_scheduled_says_so(bot: Bot, parser) -> None:  # type: ignore[no-untyped-def]
    bot.new_lead("priya", "Desai Pharma")
    assert "no scheduled demo" in say(bot, parser, "priya", "cancel demo with Desai Pharma")


@pytest.mark.parametrize("text", ["postpone the meeting with Desai Pharma", "Desai Pharma ki meeting aage karo"])
def test_postpone_without_a_date_asks_when(bot: Bot, parser, text: str) -> None:  # type: ignore[no-untyped-def]
    lead = bot.new_lead("priya", "Desai Pharma")
    say(bot, parser, "priya", "meeting with Desai Pharma kal 4 baje")
    question = say(bot, parser, "priya", text)
    assert "?" in question and "Desai Pharma" in question
    reply = say(bot, parser, "priya", "monday 12 baje")
    (event,) = bot.events(lead.id)
    assert "Mon 30 Nov, 12:00 PM" in reply and event.starts_at.hour == 6 and event.starts_at.minute == 30


# --- (c) reminders and follow-ups ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("remind me Friday to call Desai Pharma", "Fri 27 Nov, 10:00 AM"),
        ("follow up with Desai Pharma on 5th Dec", "Sat 5 Dec, 10:00 AM"),
        ("Desai Pharma ko kal call karna hai", "Wed 25 Nov, 10:00 AM"),
        ("remind me tomorrow 5pm to send the quotation to Desai Pharma", "Wed 25 Nov, 5:00 PM"),
        ("Desai Pharma follow up monday evening", "Mon 30 Nov, 6:00 PM"),
    ],
)
def test_reminder_is_set_for_the_moment(bot: Bot, parser, text: str, due: str) -> None:  # type: ignore[no-untyped-def]
    lead = bot.new_lead("priya", "Desai Pharma")
    reply = say(bot, parser, "priya", text)
    assert due in reply and "⏰" in reply
    (row,) = reminders(bot, "priya")
    assert row.lead_id == lead.id and row.status == "pending" and "Desai Pharma" in row.body
    assert any(a.kind == "reminder_set" for a in bot.activities(lead.id))


def test_reminder_in_hindi_is_answered_in_hindi(bot: Bot, parser) -> None:  # type: ignore[no-untyped-def]
    bot.new_lead("priya", "Lotus Interiors")
    reply = say(bot, parser, "priya", "याद दिलाना परसों शाम Lotus Interiors को फोन करना है")
    assert "याद दिलाऊँगा" in reply and "गुरु 26 Nov".replace("Nov", "नव") in reply


def test_reminder_without_a_moment_asks_when_and_the_answer_sets_it(bot: Bot, parser) -> None:  # type: ignore[no-untyped-def]
    bot.new_lead("priya", "Desai Pharma")
    question = say(bot, parser, "priya", "remind me to call Desai Pharma")
    assert "When should I remind you" in question and reminders(bot, "priya") == []
    reply = say(bot, parser, "priya", "kal 11 baje")
    assert "Wed 25 Nov, 11:00 AM" in reply and len(reminders(bot, "priya")) == 1


def test_reminders_are_listed_in_my_tasks(bot: Bot, parser) -> None:  # type: ignore[no-untyped-def]
    bot.new_lead("priya", "Desai Pharma")
    say(bot, parser, "priya", "Desai Pharma ko kal call karna hai")
    tasks = say(bot, parser, "priya", "kal ke tasks batao")
    assert "Desai Pharma" in tasks and "10:00 AM" in tasks


def test_a_follow_up_on_someone_elses_lead_tells_the_owner(bot: Bot, parser) -> None:  # type: ignore[no-untyped-def]
    bot.new_lead("priya", "Desai Pharma", assignee="Amit")
    say(bot, parser, "lata", "follow up with Desai Pharma on 5th Dec")
    assert any("Lata Leader set a follow-up" in n for n in bot.notes("amit"))


# --- (h) everyone affected is told ------------------------------------------------------------------------------


def test_owner_hears_when_someone_else_books_and_moves_on_their_lead(bot: Bot, parser) -> None:  # type: ignore[no-untyped-def]
    bot.new_lead("priya", "Desai Pharma", assignee="Amit")
    say(bot, parser, "lata", "meeting with Desai Pharma kal 4 baje, Priya")
    assert any("Lata Leader booked a Meeting on your lead *Desai Pharma*" in n for n in bot.notes("amit"))
    say(bot, parser, "lata", "Reschedule meeting for Desai Pharma on 29 Nov 4pm")
    assert any("moved the Meeting on your lead *Desai Pharma*" in n for n in bot.notes("amit"))


def test_attendee_hears_when_a_win_closes_their_meeting(bot: Bot, parser) -> None:  # type: ignore[no-untyped-def]
    bot.new_lead("priya", "Desai Pharma")
    say(bot, parser, "priya", "meeting with Desai Pharma kal 4 baje, Amit")
    say(bot, parser, "priya", "Deal closed for Desai Pharma")
    assert any("marked *Desai Pharma* as won" in n for n in bot.notes("amit"))
