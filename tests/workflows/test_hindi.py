"""Devanagari messages get Hindi replies; everything else English."""

from __future__ import annotations

from tests.workflows.conftest import Bot, cmd


def test_devanagari_new_lead_gets_hindi_reply(bot: Bot) -> None:
    bot.say("amit", "नई लीड: शर्मा ट्रेडर्स, प्रिया", cmd("new_lead", company="शर्मा ट्रेडर्स", assignee="प्रिया"))
    lead = bot.lead("शर्मा ट्रेडर्स")
    assert lead.owner_id == bot.user("priya").id
    reply = bot.last("amit")
    assert "बन गई" in reply and "*शर्मा ट्रेडर्स*" in reply


def test_devanagari_schedule_reply_in_hindi_with_time(bot: Bot) -> None:
    bot.new_lead("priya", "Sharma Traders")
    bot.say(
        "priya",
        "शर्मा ट्रेडर्स का डेमो कल 4 बजे",
        cmd("schedule_demo", company="शर्मा ट्रेडर्स", when="2026-11-25T16:00:00+05:30"),
    )
    reply = bot.last("priya")
    assert "डेमो" in reply and "बुध 25 नव, 4:00 PM" in reply and "*Sharma Traders*" in reply


def test_hinglish_gets_english(bot: Bot) -> None:
    bot.new_lead("priya", "Acme")
    bot.say("priya", "Acme ka demo kal 4 baje", cmd("schedule_demo", company="Acme", when="2026-11-25T16:00:00+05:30"))
    assert "Wed 25 Nov, 4:00 PM" in bot.last("priya")


def test_hindi_qualification_question_and_unknown_and_help(bot: Bot) -> None:
    bot.new_lead("priya", "Acme")
    bot.say("priya", "Acme क्वालिफ़ाइड है", cmd("qualify_lead", company="Acme"))
    assert "पता" in bot.last("priya") and "टर्नओवर" in bot.last("priya")
    bot.say("priya", "धन्यवाद", cmd("unknown"))
    assert "समझ नहीं" in bot.last("priya")
    bot.say("priya", "मदद", cmd("help"))
    assert "मैं क्या कर सकता हूँ" in bot.last("priya")


def test_hindi_not_found_and_lists(bot: Bot) -> None:
    bot.say("priya", "मेरी लीड दिखाओ", cmd("list_leads"))
    assert "कोई खुली लीड नहीं" in bot.last("priya")
    bot.say("priya", "आज के काम", cmd("list_tasks"))
    assert "मंगल 24 नव" in bot.last("priya")
    bot.say("priya", "ज़ेटा का स्टेटस", cmd("lead_info", company="ज़ेटा"))
    assert "नहीं मिली" in bot.last("priya")


def test_hindi_won_lost_reassign(bot: Bot) -> None:
    bot.new_lead("priya", "Acme")
    bot.new_lead("priya", "Beta")
    bot.say("priya", "Acme अमित को सौंपो", cmd("reassign_lead", company="Acme", assignee="अमित"))
    assert bot.lead("Acme").owner_id == bot.user("amit").id and "अब *Amit Verma* के पास" in bot.last("priya")
    bot.say("priya", "Beta डील पक्की", cmd("mark_won", company="Beta"))
    assert "जीत ली" in bot.last("priya")
