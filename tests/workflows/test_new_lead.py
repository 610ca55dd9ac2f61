"""new_lead: creation, owner, log, confirmation, notification, duplicate guard and its confirmation."""

from __future__ import annotations

from tests.workflows.conftest import Bot, cmd


def test_new_lead_owned_by_sender_when_no_assignee(bot: Bot) -> None:
    out = bot.say(
        "priya",
        "New lead: Acme Pvt Ltd, Rohit Mehra, 9876501234, IndiaMART",
        cmd("new_lead", company="Acme Pvt Ltd", contact_name="Rohit Mehra", phone="+919876501234", source="IndiaMART"),
    )
    lead = bot.lead("Acme Pvt Ltd")
    assert out.intent == "new_lead" and out.lead_id == lead.id
    assert lead.owner_id == lead.creator_id == bot.user("priya").id
    assert lead.status == "new" and lead.company_key == "acme"
    reply = bot.last("priya")
    assert "*Acme Pvt Ltd*" in reply and "Rohit Mehra" in reply and "+91 98765 01234" in reply
    assert "IndiaMART" in reply and "Owner: *Priya Sharma*" in reply
    assert bot.notes("priya") == []  # nobody else to tell


def test_new_lead_assigned_logs_and_notifies_assignee(bot: Bot) -> None:
    bot.say(
        "amit",
        "new lead Kumar Steels, 98111 22334, Priya",
        cmd("new_lead", company="Kumar Steels", phone="+919811122334", assignee="Priya"),
    )
    lead = bot.lead("Kumar Steels")
    assert lead.owner_id == bot.user("priya").id and lead.creator_id == bot.user("amit").id
    acts = bot.activities(lead.id)
    assert [a.text for a in acts] == ["Lead created by Amit Verma and assigned to Priya Sharma"]
    assert acts[0].actor_id == bot.user("amit").id and acts[0].created_at == bot.clock.now()
    notes = bot.notes("priya")
    assert len(notes) == 1 and "Kumar Steels" in notes[0] and "Amit Verma" in notes[0] and "98111 22334" in notes[0]
    assert "Owner: *Priya Sharma*" in bot.last("amit")


def test_new_lead_unknown_assignee_changes_nothing(bot: Bot) -> None:
    bot.say("amit", "new lead Zen Corp, Bholu", cmd("new_lead", company="Zen Corp", assignee="Bholu"))
    assert bot.leads() == []
    assert "Bholu" in bot.last("amit") and "Nothing was changed" in bot.last("amit")


def test_new_lead_without_company_uses_contact_or_asks(bot: Bot) -> None:
    bot.say("amit", "new lead", cmd("new_lead"))
    assert bot.leads() == [] and "company" in bot.last("amit")
    bot.say("amit", "new lead Mr Gupta 9811122334", cmd("new_lead", contact_name="Mr Gupta", phone="+919811122334"))
    assert bot.lead("Mr Gupta").contact_name == "Mr Gupta"


def test_new_lead_keeps_details_given(bot: Bot) -> None:
    bot.say("amit", "x", cmd("new_lead", company="Delta LLP", details={"address": "Pune", "turnover": "2 cr"}))
    lead = bot.lead("Delta LLP")
    assert (lead.address, lead.turnover) == ("Pune", "2 cr")


def test_duplicate_by_phone_any_formatting_is_not_created(bot: Bot) -> None:
    bot.new_lead("priya", "Acme Pvt Ltd", phone="+919876501234")
    # The parser normalises "098765-01234" to E.164; a different company name, same phone. Lata leads Priya's
    # team, so she may see the lead: it is named, with its owner, and she may create hers anyway.
    out = bot.say(
        "lata",
        "new lead Acme Industries 098765-01234",
        cmd("new_lead", company="Acme Industries", phone="+919876501234"),
    )
    assert len(bot.leads()) == 1
    reply = bot.last("lata")
    assert "already exists" in reply and "same phone" in reply and "Priya Sharma" in reply and "*Acme Pvt Ltd*" in reply
    assert out.lead_id == bot.lead("Acme Pvt Ltd").id
    state = bot.state("lata")
    assert state is not None and state.awaiting == "confirm_duplicate"


def test_duplicate_the_sender_may_not_see_is_refused_without_naming_it(bot: Bot) -> None:
    bot.new_lead("priya", "Acme Pvt Ltd", phone="+919876501234")
    # Amit is Priya's teammate, not her leader: her lead is not his to see. Nothing is created, nothing named.
    out = bot.say("amit", "x", cmd("new_lead", company="Acme Industries", phone="+919876501234"))
    assert len(bot.leads()) == 1 and out.lead_id is None and bot.state("amit") is None
    assert bot.last("amit") == "A lead with this phone already exists — ask your leader."
    bot.say("amit", "x", cmd("new_lead", company="ACME private limited"))
    assert bot.last("amit") == "A lead with this company name already exists — ask your leader."
    assert len(bot.leads()) == 1


def test_duplicate_by_normalised_company(bot: Bot) -> None:
    bot.new_lead("priya", "Acme Pvt. Ltd.")
    bot.say("priya", "new lead ACME private limited", cmd("new_lead", company="ACME private limited"))
    assert len(bot.leads()) == 1
    assert "same company" in bot.last("priya")


def test_duplicate_confirmed_with_yes_creates(bot: Bot) -> None:
    bot.new_lead("priya", "Acme Pvt Ltd")
    bot.say("priya", "new lead Acme Ltd, Sunil", cmd("new_lead", company="Acme Ltd", contact_name="Sunil"))
    out = bot.say("priya", "haan", None)
    assert bot.parser is not None and bot.parser.calls == []  # answered from state, not parsed
    assert out.intent == "new_lead" and out.via_state == "confirm_duplicate"
    assert [lead.company for lead in bot.leads()] == ["Acme Pvt Ltd", "Acme Ltd"]
    assert bot.lead("Acme Ltd").contact_name == "Sunil"
    assert "confirmed despite a possible duplicate" in bot.activities(bot.lead("Acme Ltd").id)[0].text
    assert bot.state("priya") is None


def test_duplicate_confirmed_in_devanagari(bot: Bot) -> None:
    bot.new_lead("priya", "Acme Pvt Ltd")
    bot.say("priya", "new lead Acme", cmd("new_lead", company="Acme"))
    bot.say("priya", "हाँ")
    assert len(bot.leads()) == 2


def test_duplicate_declined_with_no_drops_it(bot: Bot) -> None:
    bot.new_lead("priya", "Acme Pvt Ltd")
    bot.say("priya", "new lead Acme", cmd("new_lead", company="Acme"))
    out = bot.say("priya", "no")
    assert len(bot.leads()) == 1 and bot.state("priya") is None
    assert "no new lead" in bot.last("priya").lower() and out.lead_id is None


def test_duplicate_state_bypassed_by_a_new_command(bot: Bot) -> None:
    bot.new_lead("priya", "Acme Pvt Ltd")
    bot.say("priya", "new lead Acme", cmd("new_lead", company="Acme"))
    bot.say("priya", "show my leads", cmd("list_leads"))
    assert bot.state("priya") is None and "Your open leads" in bot.last("priya")
    bot.say("priya", "yes")  # no longer a confirmation: parsed as chit-chat
    assert len(bot.leads()) == 1


def test_duplicate_state_chit_chat_reprompts(bot: Bot) -> None:
    bot.new_lead("priya", "Acme Pvt Ltd")
    bot.say("priya", "new lead Acme", cmd("new_lead", company="Acme"))
    bot.say("priya", "hmm let me think", cmd("unknown"))
    assert "yes" in bot.last("priya") and bot.state("priya") is not None
