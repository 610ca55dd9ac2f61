"""#13 item 6, a leader's views of the team through respond() with the app's offline parser: the team's leads and
tasks grouped by person, one member's leads by name (Latin and Devanagari), the pipeline summary; members get
their own view or a polite refusal, the admin sees everyone.

Team (tests.workflows.conftest): admin asha; leader lata with priya and amit; leader vikram with ravi.
The clock stands at Tue 24 Nov 2026, 10:00 IST.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm_core.db.models import Event, Lead
from crm_core.parsing.hybrid import build_parser
from crm_core.settings import Settings
from tests.workflows.conftest import Bot, cmd


@pytest.fixture
def parser(settings: Settings):  # type: ignore[no-untyped-def]
    """The app's parser without GPT: the rules, asking when unsure."""
    assert not settings.llm_configured
    return build_parser(settings)


def say(bot: Bot, parser, who: str, text: str) -> str:  # type: ignore[no-untyped-def]
    outcome = bot.say(who, text, parser=parser)
    say.intent = outcome.intent  # type: ignore[attr-defined]
    return bot.last(who)


@pytest.fixture
def work(bot: Bot) -> Bot:
    """Leads across both teams: priya 2, amit 1, lata 1, ravi 1 (vikram's team)."""
    bot.new_lead("priya", "Desai Pharma")
    bot.new_lead("priya", "Kumar Steels")
    bot.new_lead("amit", "Agarwal Foods")
    bot.new_lead("lata", "Lotus Interiors")
    bot.new_lead("ravi", "Ravi Textiles")
    return bot


@pytest.mark.parametrize("text", ["team ke leads", "my team's leads", "टीम की लीड्स दिखाओ"])
def test_leader_sees_the_teams_leads_grouped_by_person(work: Bot, parser, text: str) -> None:  # type: ignore[no-untyped-def]
    reply = say(work, parser, "lata", text)
    assert say.intent == "team_leads"  # type: ignore[attr-defined]
    for company in ("Desai Pharma", "Kumar Steels", "Agarwal Foods", "Lotus Interiors"):
        assert f"*{company}*" in reply
    assert "Ravi Textiles" not in reply  # another team's
    assert "👤 *Priya Sharma* (2)" in reply and "👤 *Amit Verma* (1)" in reply
    assert ("टीम" in reply) == (text == "टीम की लीड्स दिखाओ")


def test_admin_sees_everyones_leads(work: Bot, parser) -> None:  # type: ignore[no-untyped-def]
    reply = say(work, parser, "asha", "team ke leads")
    assert "Ravi Textiles" in reply and "Desai Pharma" in reply and "(5)" in reply


def test_member_asking_for_the_team_gets_their_own_view(work: Bot, parser) -> None:  # type: ignore[no-untyped-def]
    reply = say(work, parser, "amit", "my team's leads")
    assert "Agarwal Foods" in reply and "Desai Pharma" not in reply and "team leaders" in reply


@pytest.mark.parametrize("text", ["Priya ke leads dikhao", "show Priya's leads", "प्रिया की लीड्स दिखाओ"])
def test_leader_sees_one_members_leads_by_name(work: Bot, parser, text: str) -> None:  # type: ignore[no-untyped-def]
    reply = say(work, parser, "lata", text)
    assert "Priya Sharma" in reply and "Desai Pharma" in reply and "Kumar Steels" in reply
    assert "Agarwal Foods" not in reply and "Lotus Interiors" not in reply


def test_member_may_not_see_a_colleagues_leads_nor_a_leader_another_teams(work: Bot, parser) -> None:  # type: ignore[no-untyped-def]
    reply = say(work, parser, "amit", "Priya ke leads dikhao")
    assert "Desai Pharma" not in reply and "Sorry" in reply
    reply = say(work, parser, "lata", "Ravi ke leads dikhao")
    assert "Ravi Textiles" not in reply and "Sorry" in reply
    assert "Ravi Textiles" in say(work, parser, "vikram", "Ravi ke leads dikhao")


def test_leads_are_capped_per_person(bot: Bot, parser) -> None:  # type: ignore[no-untyped-def]
    for i in range(7):
        bot.new_lead("priya", f"Company {i} Traders")
    reply = say(bot, parser, "lata", "team ke leads")
    assert reply.count("• *Company") == 5 and "…and 2 more." in reply


def _meeting(bot: Bot, who: str, company: str, when: str) -> None:
    bot.say(who, f"meeting {company}", cmd("schedule_meeting", company=company, when=when))


def test_leader_sees_the_teams_tasks_for_the_day(work: Bot, parser) -> None:  # type: ignore[no-untyped-def]
    _meeting(work, "priya", "Desai Pharma", "2026-11-24T15:00:00+05:30")
    _meeting(work, "amit", "Agarwal Foods", "2026-11-24T17:00:00+05:30")
    _meeting(work, "ravi", "Ravi Textiles", "2026-11-24T16:00:00+05:30")
    _meeting(work, "priya", "Kumar Steels", "2026-11-25T11:00:00+05:30")
    reply = say(work, parser, "lata", "team ke tasks aaj")
    assert say.intent == "team_tasks"  # type: ignore[attr-defined]
    assert "3:00 PM Meeting: *Desai Pharma*" in reply and "5:00 PM Meeting: *Agarwal Foods*" in reply
    assert "Ravi Textiles" not in reply and "Kumar Steels" not in reply
    assert "👤 *Amit Verma*" in reply and "👤 *Priya Sharma*" in reply
    assert "Kumar Steels" in say(work, parser, "lata", "my team's tasks tomorrow")
    mine = say(work, parser, "amit", "my team's tasks")
    assert "Agarwal Foods" in mine and "Desai Pharma" not in mine


def test_pipeline_summary_counts(work: Bot, parser) -> None:  # type: ignore[no-untyped-def]
    _meeting(work, "priya", "Desai Pharma", "2026-11-25T15:00:00+05:30")
    _meeting(work, "amit", "Agarwal Foods", "2026-11-25T12:00:00+05:30")
    with work.db.transaction() as s:  # one lead from last week; one meeting already past its time, not marked done
        old = s.query(Lead).filter_by(company="Lotus Interiors").one()
        old.created_at = old.created_at - timedelta(days=10)
        late = s.query(Event).join(Lead, Lead.id == Event.lead_id).filter(Lead.company == "Agarwal Foods").one()
        late.starts_at = late.starts_at - timedelta(days=2)
    reply = say(work, parser, "lata", "team ka pipeline kaisa hai")
    assert say.intent == "pipeline_summary"  # type: ignore[attr-defined]
    assert "Leads: 4 · new this week: 3" in reply
    assert "• New: 2" in reply and "• Meeting scheduled: 2" in reply
    assert "(1)" in reply and "Meeting *Agarwal Foods* — Amit Verma, Mon 23 Nov" in reply
    assert "Leads: 5" in say(work, parser, "asha", "pipeline summary")
    own = say(work, parser, "amit", "pipeline summary")
    assert "Your pipeline" in own and "Leads: 1 ·" in own
    hindi = say(work, parser, "lata", "टीम की पाइपलाइन कैसी है")
    assert "पाइपलाइन" in hindi and "लीड: 4" in hindi
