"""Who may act on which lead: members own/created, leaders their team's, admins all; refusals change nothing."""

from __future__ import annotations

import pytest

from tests.workflows.conftest import Bot, FakeNurture, cmd

KAL_4PM = "2026-11-25T16:00:00+05:30"


@pytest.fixture
def leads(bot: Bot) -> Bot:
    """Acme owned by priya (lata's team), Kumar Steels owned by ravi (vikram's team)."""
    bot.new_lead("priya", "Acme")
    bot.new_lead("ravi", "Kumar Steels")
    return bot


@pytest.mark.parametrize(
    ("user", "company", "allowed"),
    [
        ("priya", "Acme", True),  # owner
        ("amit", "Acme", False),  # same team, not owner
        ("lata", "Acme", True),  # priya's leader
        ("vikram", "Acme", False),  # another team's leader
        ("asha", "Acme", True),  # admin
        ("ravi", "Kumar Steels", True),
        ("priya", "Kumar Steels", False),
        ("lata", "Kumar Steels", False),
        ("vikram", "Kumar Steels", True),
        ("asha", "Kumar Steels", True),
    ],
)
def test_permission_matrix_for_a_change(leads: Bot, user: str, company: str, allowed: bool) -> None:
    bot = leads
    before = len(bot.activities(bot.lead(company).id))
    out = bot.say(user, "note", cmd("add_activity", company=company, note="checked"))
    after = len(bot.activities(bot.lead(company).id))
    if allowed:
        assert after == before + 1 and out.lead_id == bot.lead(company).id
    else:
        assert after == before
        reply = bot.last(user)
        assert "can't change" in reply and f"*{company}*" in reply and "Nothing was changed" in reply


def test_creator_keeps_rights_after_assigning(bot: Bot) -> None:
    bot.new_lead("amit", "Acme", assignee="Priya")
    bot.say("amit", "x", cmd("add_activity", company="Acme", note="still mine too"))
    assert bot.activities(bot.lead("Acme").id)[-1].text == "still mine too"


@pytest.mark.parametrize(
    "command",
    [
        cmd("qualify_lead", company="Acme"),
        cmd("schedule_meeting", company="Acme", when=KAL_4PM),
        cmd("reschedule_demo", company="Acme", when=KAL_4PM),
        cmd("meeting_done", company="Acme"),
        cmd("demo_done", company="Acme"),
        cmd("reassign_lead", company="Acme", assignee="Amit"),
        cmd("mark_won", company="Acme"),
        cmd("mark_lost", company="Acme", note="x"),
        cmd("lead_details", company="Acme", details={"address": "x"}),
        cmd("lead_info", company="Acme"),
    ],
)
def test_every_lead_command_refuses_an_outsider(leads: Bot, nurture: FakeNurture, command) -> None:  # type: ignore[no-untyped-def]
    bot = leads
    lead = bot.lead("Acme")
    outbox_before = bot.count_outbox()
    bot.say("ravi", "x", command)
    after = bot.lead("Acme")
    assert (after.status, after.owner_id, after.address) == (lead.status, lead.owner_id, lead.address)
    assert bot.events(lead.id) == [] and len(bot.activities(lead.id)) == 1
    assert nurture.started == nurture.moved == nurture.cancelled == []
    assert bot.count_outbox() == outbox_before + 1  # only the refusal
    assert "can't change" in bot.last("ravi")


def test_refusal_in_hindi(leads: Bot) -> None:
    leads.say("ravi", "Acme की मीटिंग हो गई", cmd("meeting_done", company="Acme"))
    assert "नहीं बदल सकते" in leads.last("ravi")


def test_leader_sees_team_leads_in_parse_context(leads: Bot) -> None:
    leads.say("lata", "hi")
    assert leads.parser is not None
    assert leads.parser.calls[0][1].recent_leads == ("Acme",)
    leads.say("asha", "hi")
    assert set(leads.parser.calls[0][1].recent_leads) == {"Acme", "Kumar Steels"}
