"""The built-in parser on the conversational intents of #13 (crm_core.parsing.conversation): cancel, postpone
without a date, reminders and follow-ups — and the reports that must stay what they were."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from crm_core.parsing.rules import RuleParser
from crm_core.ports import ParseContext

IST = ZoneInfo("Asia/Kolkata")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=IST)  # a Tuesday
CTX = ParseContext(now=NOW, tz=IST)
PARSER = RuleParser(region="IN")

CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("cancel meeting with Acme Pvt Ltd, client busy", "cancel_meeting", {"company": "Acme Pvt Ltd", "note": "client busy"}),
    ("Desai Pharma ka demo cancel karo, budget freeze", "cancel_demo", {"company": "Desai Pharma", "note": "budget freeze"}),
    ("client busy hai, Desai Pharma wali meeting cancel kar do", "cancel_meeting", {"company": "Desai Pharma", "note": "client busy"}),
    ("शर्मा ट्रेडर्स का डेमो रद्द करो, बजट नहीं है", "cancel_demo", {"company": "शर्मा ट्रेडर्स"}),
    ("Call off the demo with Kumar Steels because their MD is travelling", "cancel_demo", {"company": "Kumar Steels", "note": "their MD is travelling"}),
    ("postpone the meeting with Acme Pvt Ltd", "reschedule_meeting", {"company": "Acme Pvt Ltd", "when": None}),
    ("Desai Pharma ka demo aage karo", "reschedule_demo", {"company": "Desai Pharma", "when": None}),
    ("remind me Friday to call Sharma Traders", "set_reminder", {"company": "Sharma Traders", "when": "2026-11-27", "note": "call Sharma Traders"}),
    ("follow up with Acme Pvt Ltd on 5th Dec", "set_reminder", {"company": "Acme Pvt Ltd", "when": "2026-12-05"}),
    ("Sharma Traders ko kal call karna hai", "set_reminder", {"company": "Sharma Traders", "when": "2026-11-25"}),
    ("remind me tomorrow 5pm to send quotation to Kumar Steels", "set_reminder", {"when": "2026-11-25T17:00:00+05:30", "note": "send quotation to Kumar Steels"}),
    ("Kumar Steels follow up monday morning", "set_reminder", {"company": "Kumar Steels", "when": "2026-11-30T10:00:00+05:30"}),
    ("याद दिलाना परसों शाम Lotus Interiors को फोन करना है", "set_reminder", {"company": "Lotus Interiors", "when": "2026-11-26T18:00:00+05:30"}),
    # reports and questions stay what they were
    ("Parekh Electricals - reminder bheja payment ka", "add_activity", {}),
    ("follow up kiya Shukla Sanitary, kl call krna h", "add_activity", {}),
    ("pls remind me what's pending today", "list_tasks", {}),
    ("Postpone the demo with Zen Yoga Studio to next Monday 3pm", "reschedule_demo", {"when": "2026-11-30T15:00:00+05:30"}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "intent", "fields"), CASES)
def test_conversational_reading(text: str, intent: str, fields: dict[str, Any]) -> None:
    result = PARSER.parse(text, CTX)
    got = result.command.to_contract()
    assert got["intent"] == intent, got
    for key, value in fields.items():
        assert got.get(key) == value, (key, got)


@pytest.mark.parametrize("text", [c[0] for c in CASES[:13] if c[2].get("company")])
def test_clear_conversational_commands_are_acted_on(text: str) -> None:
    result = PARSER.parse(text, CTX)
    if result.command.when or result.command.intent.value.startswith("cancel"):
        assert result.confidence >= 0.75, result


def test_cancel_said_with_a_not_is_no_cancel() -> None:
    text = "Green Valley Resort wali meeting cancel nhi, thursday shaam 4 baje kar do"
    assert not PARSER.parse(text, CTX).command.intent.value.startswith("cancel")


TEAM_CTX = ParseContext(now=NOW, tz=IST, team_names=("Priya Sharma", "Amit Verma", "Neha Singh"))
TEAM_CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("team ke leads", "team_leads", {"assignee": None}),
    ("my team's leads", "team_leads", {}),
    ("टीम की लीड्स दिखाओ", "team_leads", {}),
    ("team ke tasks aaj", "team_tasks", {"when": "2026-11-24"}),
    ("my team's tasks tomorrow", "team_tasks", {"when": "2026-11-25"}),
    ("Amit ke leads dikhao", "team_leads", {"assignee": "Amit"}),
    ("show Neha's leads", "team_leads", {"assignee": "Neha"}),
    ("अमित की लीड्स दिखाओ", "team_leads", {"assignee": "अमित"}),
    ("pipeline summary", "pipeline_summary", {}),
    ("team ka pipeline kaisa hai", "pipeline_summary", {}),
    # and what must stay what it was
    ("pipeline dikhao", "list_leads", {}),
    ("show my leads", "list_leads", {}),
    ("Kasliwal Cotton Mills की लीड अमित को दे दो", "reassign_lead", {}),
    ("Good morning team", "unknown", {}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "intent", "fields"), TEAM_CASES)
def test_team_view_reading(text: str, intent: str, fields: dict[str, Any]) -> None:
    got = PARSER.parse(text, TEAM_CTX).command.to_contract()
    assert got["intent"] == intent, got
    for key, value in fields.items():
        assert got.get(key) == value, (key, got)
