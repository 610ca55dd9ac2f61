"""What the parse context adds: the sender's recent leads resolve companies, team names resolve owners."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from crm_core.commands import Intent
from crm_core.parsing.rules import RuleParser
from crm_core.ports import ParseContext

IST = ZoneInfo("Asia/Kolkata")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=IST)
PARSER = RuleParser()


def ctx(**kw: object) -> ParseContext:
    return ParseContext(now=NOW, tz=IST, **kw)  # type: ignore[arg-type]


def test_recent_lead_keeps_command_words_inside_a_company_name() -> None:
    text = "Demo done for New India Traders, they want a trial"
    plain = PARSER.parse(text, ctx()).command
    assert plain.company == "New India Traders"  # a Title-case name ending in a business word stays whole
    known = PARSER.parse(text, ctx(recent_leads=("New India Traders",))).command
    assert known.intent is Intent.DEMO_DONE
    assert known.company == "New India Traders"
    assert known.note == "they want a trial"


def test_recent_lead_raises_confidence() -> None:
    text = "meeting with nova clinics tomorrow 4pm"
    without = PARSER.parse(text, ctx())
    with_lead = PARSER.parse(text, ctx(recent_leads=("Nova Clinics",)))
    assert with_lead.command.company == "nova clinics"  # as written
    assert with_lead.confidence > without.confidence


def test_team_name_names_the_owner_without_a_separator() -> None:
    text = "Schedule meeting with Acme Pvt Ltd tomorrow 4pm Amit"
    assert PARSER.parse(text, ctx()).command.assignee is None
    got = PARSER.parse(text, ctx(team_names=("Amit Verma", "Priya Shah"))).command
    assert got.assignee == "Amit" and got.company == "Acme Pvt Ltd"


def test_reassign_to_someone_outside_the_team_is_less_sure() -> None:
    text = "Reassign Acme Pvt Ltd to Zorro"
    team = ctx(team_names=("Amit Verma", "Priya Shah"))
    assert PARSER.parse(text, team).confidence < PARSER.parse("Reassign Acme Pvt Ltd to Amit", team).confidence


def test_new_lead_owner_from_team_names() -> None:
    text = "New lead Acme Pvt Ltd, Rohit 9876501234 priya"
    got = PARSER.parse(text, ctx(team_names=("Priya",))).command
    assert got.assignee == "priya"


def test_parser_works_without_context() -> None:
    got = PARSER.parse("Reassign Acme Pvt Ltd to Amit", ctx()).command
    assert got.company == "Acme Pvt Ltd" and got.assignee == "Amit"


def test_a_missing_company_is_left_out_never_guessed() -> None:
    # Confidence is about the reading being exactly right: "meeting done" names no lead, and the reading says so
    # (the handler then asks which lead); nothing is invented to fill the gap.
    for text in ("meeting done", "qualified"):
        assert PARSER.parse(text, ctx()).command.company is None
    assert PARSER.parse("Meeting done for Acme Pvt Ltd", ctx()).confidence >= 0.75


def test_confidence_is_in_range_for_every_kind() -> None:
    for text in ("", "hi", "asdf", "help", "New lead: Acme", "Reassign all to", "🎉🎉", "x" * 3000):
        result = PARSER.parse(text, ctx())
        assert 0.0 <= result.confidence <= 1.0


def test_never_invents_values() -> None:
    got = PARSER.parse("Meeting with Acme Pvt Ltd", ctx()).command
    assert got.when is None and got.assignee is None
    lead = PARSER.parse("New lead: Acme Pvt Ltd", ctx()).command
    assert lead.phone is None and lead.contact_name is None and lead.source is None and lead.assignee is None


def test_very_long_fields_do_not_break_validation() -> None:
    text = "New lead: " + "A" * 500 + ", " + "B" * 300
    result = PARSER.parse(text, ctx())
    assert result.command.intent is Intent.NEW_LEAD
