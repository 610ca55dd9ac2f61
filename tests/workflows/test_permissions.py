"""Who may act on which lead: members own/created, leaders their team's, admins all; anything else is "not found"
and changes nothing — the reply names no other lead, owner or status (crm_core.access)."""

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
        assert after == before and out.lead_id is None
        reply = bot.last(user)
        assert "couldn't find" in reply and "belongs" not in reply
        owner = "Priya Sharma" if company == "Acme" else "Ravi Kumar"
        assert owner not in reply


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
    assert bot.count_outbox() == outbox_before + 1  # only the reply
    assert "couldn't find" in bot.last("ravi") and "Priya" not in bot.last("ravi")


def test_refusal_in_hindi(leads: Bot) -> None:
    leads.say("ravi", "Acme की मीटिंग हो गई", cmd("meeting_done", company="Acme"))
    assert "नहीं मिली" in leads.last("ravi") and "Priya" not in leads.last("ravi")


def test_status_of_another_teams_lead_names_no_owner(leads: Bot) -> None:
    """Asking the status of X once answered "X belongs to <owner>" for any company in the organisation."""
    out = leads.say("priya", "status of Kumar Steels?", cmd("lead_info", company="Kumar Steels"))
    reply = leads.last("priya")
    assert out.lead_id is None and "Ravi" not in reply and "belongs" not in reply and "New" not in reply
    assert reply == "I couldn't find a lead called *Kumar Steels*. Send _show my leads_ to see yours."


def test_unknown_and_hidden_leads_get_the_same_answer(leads: Bot) -> None:
    leads.say("priya", "x", cmd("add_activity", company="Kumar Steels", note="x"))
    hidden = leads.last("priya")
    leads.say("priya", "x", cmd("add_activity", company="Zenith Cables", note="x"))
    assert hidden.replace("Kumar Steels", "Zenith Cables") == leads.last("priya")


def test_duplicate_in_another_team_is_not_created_and_not_named(leads: Bot) -> None:
    """The duplicate check once answered "*Kumar Steels* already exists (same phone), owner Ravi Kumar, status New"."""
    leads.say("ravi", "x", cmd("lead_details", company="Kumar Steels", details={"address": "Pune"}))
    with leads.db.transaction() as s:
        from crm_core.db.models import Lead

        s.get(Lead, leads.lead("Kumar Steels").id).phone = "+919811122334"  # type: ignore[union-attr]
    for user, text in (("priya", "A lead with this phone already exists — ask your leader."),
                       ("lata", "A lead with this phone already exists — ask an admin.")):  # fmt: skip
        out = leads.say(user, "x", cmd("new_lead", company="North Steel Works", phone="+919811122334"))
        assert leads.last(user) == text and out.lead_id is None and leads.state(user) is None
    leads.say("priya", "नई लीड", cmd("new_lead", company="नॉर्थ स्टील", phone="+919811122334"))
    assert leads.last("priya") == "इस फ़ोन नंबर की लीड पहले से मौजूद है — अपने लीडर से पूछिए।"
    assert [lead.company for lead in leads.leads()] == ["Acme", "Kumar Steels"]
    leads.say("asha", "x", cmd("new_lead", company="North Steel Works", phone="+919811122334"))
    assert "already exists" in leads.last("asha") and "Ravi Kumar" in leads.last("asha")  # the admin sees all


def test_a_yes_never_overrides_a_hidden_duplicate(leads: Bot) -> None:
    """A visible duplicate may be confirmed; if a hidden one turns up meanwhile, the "yes" creates nothing."""
    leads.say("priya", "x", cmd("new_lead", company="Acme Pvt Ltd", phone="+919811122334"))
    assert "*Acme*" in leads.last("priya")  # same company key as her own Acme: she may confirm
    leads.say("ravi", "x", cmd("new_lead", company="Ravi Works", phone="+919811122334"))
    leads.say("priya", "yes")
    assert leads.last("priya") == "A lead with this phone already exists — ask your leader."
    assert [lead.company for lead in leads.leads()] == ["Acme", "Kumar Steels", "Ravi Works"]


def test_work_is_assigned_only_within_the_team(leads: Bot) -> None:
    for command in (
        cmd("new_lead", company="Zen Corp", assignee="Ravi"),
        cmd("reassign_lead", company="Acme", assignee="Ravi"),
        cmd("schedule_meeting", company="Acme", when=KAL_4PM, assignee="Ravi"),
    ):
        leads.say("priya", "x", command)
        assert (
            leads.last("priya") == "*Ravi Kumar* is not in your team, so I can't give them this. Nothing was changed."
        )
    acme = leads.lead("Acme")
    assert acme.owner_id == leads.user("priya").id and leads.events(acme.id) == []
    assert [lead.company for lead in leads.leads()] == ["Acme", "Kumar Steels"]
    leads.say("lata", "x", cmd("reassign_lead", company="Acme", assignee="Amit"))  # within the team
    assert leads.lead("Acme").owner_id == leads.user("amit").id
    leads.say("asha", "x", cmd("reassign_lead", company="Acme", assignee="Ravi"))  # admins cross teams
    assert leads.lead("Acme").owner_id == leads.user("ravi").id


def test_a_clash_on_a_lead_the_sender_may_not_see_is_not_named(leads: Bot) -> None:
    leads.say("ravi", "x", cmd("schedule_meeting", company="Kumar Steels", when=KAL_4PM))
    leads.say("asha", "x", cmd("schedule_meeting", company="Acme", when=KAL_4PM, assignee="Ravi"))
    assert "*Kumar Steels*" in leads.last("asha")  # the admin may see it
    leads.say("priya", "x", cmd("reschedule_meeting", company="Acme", when=KAL_4PM))
    reply = leads.last("priya")
    assert "Ravi Kumar already has another meeting at 4:00 PM" in reply and "Kumar Steels" not in reply


def test_leader_sees_team_leads_in_parse_context(leads: Bot) -> None:
    leads.say("lata", "hi")
    assert leads.parser is not None
    assert leads.parser.calls[0][1].recent_leads == ("Acme",)
    leads.say("asha", "hi")
    assert set(leads.parser.calls[0][1].recent_leads) == {"Acme", "Kumar Steels"}
