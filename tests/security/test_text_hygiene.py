"""Text hygiene: bidirectional controls never stored or echoed, joiners kept in names, over-long fields refused."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from crm_core.commands import Doubt
from crm_core.envelope import clean_text
from crm_core.parsing.rules import RuleParser
from crm_core.ports import ParseContext

IST = ZoneInfo("Asia/Kolkata")
CTX = ParseContext(now=datetime(2026, 11, 24, 10, 0, tzinfo=IST), tz=IST, team_names=("Priya", "Amit"))
RLO, LRI, PDI = "\u202e", "\u2066", "\u2069"


def test_bidirectional_controls_are_dropped_at_the_door() -> None:
    text = f"Add note for Acme Pvt Ltd: paid {RLO}0001 sR{PDI} {LRI}ok"
    cleaned = clean_text(text)
    assert RLO not in cleaned and LRI not in cleaned and PDI not in cleaned
    assert "paid 0001 sR ok" in cleaned


def test_the_parser_never_echoes_a_right_to_left_override() -> None:
    note = RuleParser().parse(f"Add note for Acme Pvt Ltd: hello {RLO}evil text", CTX).command.note
    assert note is not None and RLO not in note and "evil text" in note


def test_a_zero_width_joiner_inside_a_devanagari_name_is_kept() -> None:
    # "क्‍ष" written with an explicit joiner: removing it would change the letters a colleague reads.
    company = "राधे क्\u200dष ट्रेडर्स"
    got = RuleParser().parse(f"नई लीड: {company}, राकेश 9876543210", CTX).command.company
    assert got is not None and "\u200d" in got


def test_an_over_long_company_is_refused_and_asked_about_never_replaced() -> None:
    long_name = "A" * 210 + " Traders"
    result = RuleParser().parse(f"new lead: {long_name}, Rakesh 9876543210", CTX)
    assert result.command.company is None  # not replaced by the contact's name or anything else
    assert result.command.contact_name == "Rakesh"
    assert Doubt.COMPANY in result.doubts and result.confidence < 0.75
    assert result.rejected["company"].endswith("(too long)")


def test_whatsapp_formatting_in_a_name_is_kept_intact() -> None:
    # The finding: the leading marker of "*Star* Traders" was stripped and the trailing one kept.
    parse = RuleParser().parse
    assert parse("New lead: *Star* Traders, Rakesh 9876543210", CTX).command.company == "*Star* Traders"
    assert parse("New lead: _Zen_ Yoga Studio, Rakesh 9876543210", CTX).command.company == "_Zen_ Yoga Studio"


def test_a_name_wrapped_whole_in_formatting_is_the_name_without_it() -> None:
    parse = RuleParser().parse
    assert parse("Demo done for *Acme Pvt Ltd*", CTX).command.company == "Acme Pvt Ltd"
    lead = parse("new lead *Lotus Green Homes* builder, contact Ashok Tyagi 98111 98111", CTX).command
    assert lead.company == "Lotus Green Homes"
