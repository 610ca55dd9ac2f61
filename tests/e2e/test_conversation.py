"""End to end through the local host (#13): webhook → queue → handlers → outbox → the Maytapi fake.

A question waits for its answer (when? a day and time), a meeting is cancelled with its reason and the assignee is
told, a reminder set in Hinglish reaches WhatsApp from the timer at its moment and not before — as Priya (leader)
and Amit (member) would type it. The clock stands at Tue 24 Nov 2026, 10:00 IST.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from crm_core.db.models import Event, Lead
from tests.conftest import IST
from tests.e2e.test_lead_lifecycle import AMIT, PRIYA, Bot, _text, _to, bot  # noqa: F401  (the fixture)

pytestmark = pytest.mark.e2e


def _events(talk: Bot) -> list[Event]:
    with talk.container.database.transaction() as s:
        return list(s.query(Event).order_by(Event.id))


def test_when_question_then_cancel_with_reason_tells_the_assignee(bot: Bot) -> None:  # noqa: F811
    bot.say(PRIYA, "New lead: Desai Pharma, Hetal Desai, 9824055667, assign to Amit")
    out = bot.say(PRIYA, "Schedule a meeting with Desai Pharma")
    question = _text(_to(out, PRIYA)[0])
    assert "Desai Pharma" in question and "?" in question and _events(bot) == []

    out = bot.say(PRIYA, "wednesday 3 baje")
    assert "Wed 25 Nov, 3:00 PM" in _text(_to(out, PRIYA)[0])
    assert any("Desai Pharma" in _text(m) for m in _to(out, AMIT))  # the assignee (the owner) is told

    out = bot.say(PRIYA, "client busy hai, Desai Pharma wali meeting cancel kar do")
    assert "🚫" in _text(_to(out, PRIYA)[0]) and "client busy" in _text(_to(out, PRIYA)[0])
    told = [_text(m) for m in _to(out, AMIT)]
    assert len(told) == 1 and "cancelled by Priya" in told[0] and "client busy" in told[0]
    (event,) = _events(bot)
    assert event.status == "cancelled" and event.outcome == "client busy"


def test_reminder_reaches_whatsapp_at_its_moment(bot: Bot) -> None:  # noqa: F811
    bot.say(AMIT, "New lead: Kumar Steels, Ramesh, 9811098110")
    out = bot.say(AMIT, "Kumar Steels ko kal call karna hai")
    assert "Wed 25 Nov, 10:00 AM" in _text(_to(out, AMIT)[0])
    tasks = bot.say(AMIT, "kal ke tasks batao")
    assert "Kumar Steels" in _text(tasks[0])

    assert bot.sweep_at(datetime(2026, 11, 25, 9, 59, tzinfo=IST)) == []  # not before its moment
    out = bot.sweep_at(datetime(2026, 11, 25, 10, 0, tzinfo=IST))
    (reminder,) = _to(out, AMIT)
    assert "⏰" in _text(reminder) and "Kumar Steels" in _text(reminder) and "+91 98110 98110" in _text(reminder)
    assert bot.sweep_at(datetime(2026, 11, 25, 10, 5, tzinfo=IST)) == []  # sent once


def test_hindi_reminder_is_answered_and_delivered_in_hindi(bot: Bot) -> None:  # noqa: F811
    bot.say(PRIYA, "नया लीड: लोटस इंटीरियर्स, संपर्क पूजा शर्मा, 9811098111")
    out = bot.say(PRIYA, "याद दिलाना परसों शाम लोटस इंटीरियर्स को फोन करना है")
    assert "याद दिलाऊँगा" in _text(_to(out, PRIYA)[0])
    out = bot.sweep_at(datetime(2026, 11, 26, 18, 0, tzinfo=IST) + timedelta(seconds=1))
    (reminder,) = _to(out, PRIYA)
    assert "याद दिला रहा हूँ" in _text(reminder) and "लोटस इंटीरियर्स" in _text(reminder)
    with bot.container.database.transaction() as s:
        assert s.query(Lead).count() == 1


def test_leader_asks_for_the_teams_leads_and_pipeline(bot: Bot) -> None:  # noqa: F811
    bot.say(PRIYA, "New lead: Desai Pharma, Hetal Desai, 9824055667, assign to Amit")
    bot.say(AMIT, "New lead: Kumar Steels, Ramesh, 9811098110")
    out = bot.say(PRIYA, "team ke leads")
    (reply,) = _to(out, PRIYA)
    assert "👤 *Amit* (2)" in _text(reply) and "*Desai Pharma*" in _text(reply) and "*Kumar Steels*" in _text(reply)
    out = bot.say(PRIYA, "अमित की लीड्स दिखाओ")
    assert "Kumar Steels" in _text(_to(out, PRIYA)[0]) and "खुली लीड" in _text(_to(out, PRIYA)[0])
    out = bot.say(PRIYA, "pipeline summary")
    assert "Leads: 2 · new this week: 2" in _text(_to(out, PRIYA)[0])
    out = bot.say(AMIT, "Priya ke leads dikhao")  # a member: their own work only
    assert "Sorry" in _text(_to(out, AMIT)[0]) and _to(out, PRIYA) == []
