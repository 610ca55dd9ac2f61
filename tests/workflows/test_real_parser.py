"""Real text through respond() with the built-in RuleParser: a lead from creation to demo done."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.workflows.conftest import Bot, FakeNurture

rules = pytest.importorskip("crm_core.parsing.rules")


@pytest.fixture
def parser():  # type: ignore[no-untyped-def]
    """The built-in rules parser."""
    return rules.RuleParser()


def test_lead_lifecycle_in_real_words(bot: Bot, parser, nurture: FakeNurture) -> None:  # type: ignore[no-untyped-def]
    out = bot.say("amit", "New lead: Acme Pvt Ltd, Rohit Mehra, 9876501234, IndiaMART, Priya", parser=parser)
    assert out.intent == "new_lead" and out.parse is not None and out.parse.source == "rules"
    lead = bot.lead("Acme Pvt Ltd")
    assert lead.owner_id == bot.user("priya").id and lead.phone == "+919876501234"
    assert any("Acme Pvt Ltd" in n for n in bot.notes("priya"))

    bot.say("priya", "Lead qualified for Acme", parser=parser)
    assert bot.lead("Acme Pvt Ltd").status == "qualified" and "address" in bot.last("priya")
    bot.say("priya", "Address: 221B Baker Street, Mumbai, Turnover: 3 crore", parser=parser)
    assert "Still needed" in bot.last("priya") and bot.lead("Acme Pvt Ltd").turnover == "3 crore"
    bot.say("priya", "Current system: Tally, Challenges: manual reports", parser=parser)
    assert "All details are on file" in bot.last("priya")

    bot.say("priya", "Acme ke saath kal 4 baje demo rakho", parser=parser)
    assert "Wed 25 Nov, 4:00 PM" in bot.last("priya") and bot.lead("Acme Pvt Ltd").status == "demo_scheduled"
    bot.say("priya", "Reschedule demo for Acme Pvt Ltd on 29 Nov 4pm", parser=parser)
    assert "Sun 29 Nov, 4:00 PM" in bot.last("priya")

    bot.clock.advance(timedelta(days=5, hours=8))
    out = bot.say("priya", "Demo done for Acme Pvt Ltd. They loved it.", parser=parser)
    assert out.intent == "demo_done" and bot.lead("Acme Pvt Ltd").status == "demo_done"
    assert len(nurture.started) == 1 and bot.events(lead.id)[0].outcome == "They loved it"


def test_hindi_new_lead_in_real_words(bot: Bot, parser) -> None:  # type: ignore[no-untyped-def]
    bot.say("amit", "नई लीड: शर्मा ट्रेडर्स, राहुल, 9811122334, प्रिया", parser=parser)
    lead = bot.lead("शर्मा ट्रेडर्स")
    assert lead.owner_id == bot.user("priya").id and lead.contact_name == "राहुल"
    assert "बन गई" in bot.last("amit")


def test_queries_and_chit_chat_in_real_words(bot: Bot, parser) -> None:  # type: ignore[no-untyped-def]
    bot.say("priya", "New lead: Acme Pvt Ltd, Rohit, 9876501234", parser=parser)
    bot.say("priya", "mere leads dikhao", parser=parser)
    assert "*Acme Pvt Ltd*" in bot.last("priya")
    bot.say("priya", "status of Acme?", parser=parser)
    assert "Status: New" in bot.last("priya")
    bot.say("priya", "thanks", parser=parser)
    assert "help" in bot.last("priya")


def test_duplicate_then_haan_in_real_words(bot: Bot, parser) -> None:  # type: ignore[no-untyped-def]
    bot.say("priya", "New lead: Acme Pvt Ltd, Rohit, 9876501234", parser=parser)
    bot.say("lata", "New lead: Acme Industries, Sunil, 98765-01234", parser=parser)  # priya's leader sees it
    assert "already exists" in bot.last("lata") and len(bot.leads()) == 1
    bot.say("lata", "haan", parser=parser)
    assert len(bot.leads()) == 2


def test_numbered_choice_in_real_words(bot: Bot, parser) -> None:  # type: ignore[no-untyped-def]
    bot.say("priya", "New lead: Sharma Traders, Rakesh, 9811122334", parser=parser)
    bot.say("priya", "New lead: Sharma Steels, Mohan, 9811122335", parser=parser)
    bot.say("priya", "status of Sharma?", parser=parser)
    assert "1. *" in bot.last("priya")
    out = bot.say("priya", "2", parser=parser)
    assert out.intent == "lead_info" and out.lead_id is not None
