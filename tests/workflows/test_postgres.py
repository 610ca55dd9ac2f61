"""The workflows on PostgreSQL: the same lifecycle, plus the fuzzy lookup and state on a real server."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm_core.clock import FixedClock
from crm_core.db.session import Database
from crm_core.settings import Settings
from tests.workflows.conftest import FakeNurture, cmd, make_bot

pytestmark = pytest.mark.postgres


def test_lifecycle_on_postgres(pg_db: Database, clock: FixedClock, settings: Settings, nurture: FakeNurture) -> None:
    bot = make_bot(pg_db, clock, settings, nurture)
    bot.say("amit", "x", cmd("new_lead", company="Sharma Traders Pvt Ltd", phone="+919811122334", assignee="प्रिया"))
    bot.say("amit", "x", cmd("new_lead", company="Sharma Steels"))
    bot.say("amit", "x", cmd("new_lead", company="sharma traders", phone="+919811122334"))
    assert len(bot.leads()) == 2 and "already exists" in bot.last("amit")
    bot.say("amit", "no")
    bot.say("amit", "x", cmd("schedule_demo", company="Sharma", when="2026-11-25T16:00:00+05:30"))
    assert "1. *" in bot.last("amit")
    reply = bot.last("amit")
    number = "1" if reply.split("1. *")[1].startswith("Sharma Traders") else "2"
    bot.say("amit", number)
    lead = bot.lead("Sharma Traders Pvt Ltd")
    assert "Wed 25 Nov, 4:00 PM" in bot.last("amit") and bot.events(lead.id)[0].kind == "demo"
    bot.clock.advance(timedelta(days=2))
    bot.say("amit", "x", cmd("demo_done", company="Sharma Tradrs", note="good"))
    assert bot.lead("Sharma Traders Pvt Ltd").status == "demo_done" and len(nurture.started) == 1
    bot.say("lata", "x", cmd("reassign_lead", company="sharma traders", assignee="amit"))
    assert bot.lead("Sharma Traders Pvt Ltd").owner_id == bot.user("amit").id
    bot.say("ravi", "x", cmd("mark_lost", company="Sharma Traders"))
    assert bot.lead("Sharma Traders Pvt Ltd").status == "demo_done" and "couldn't find" in bot.last("ravi")
    bot.say("ravi", "x", cmd("new_lead", company="Sharma Traders", phone="+919811122334"))  # another team's
    assert bot.last("ravi") == "A lead with this phone already exists — ask your leader." and len(bot.leads()) == 2
