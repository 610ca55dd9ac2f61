"""#13 (f): a lead's status tells everything useful — status, owner, contact, the next event, pending follow-ups and
reminders, the details on file and still missing, the last activity cut at a word boundary. Real phrasings through
respond() with the app's offline parser; the clock stands at Tue 24 Nov 2026, 10:00 IST.
"""

from __future__ import annotations

import pytest

from crm_core.handlers.status import shorten
from crm_core.parsing.hybrid import build_parser
from crm_core.settings import Settings
from tests.workflows.conftest import Bot, cmd


@pytest.fixture
def parser(settings: Settings):  # type: ignore[no-untyped-def]
    assert not settings.llm_configured
    return build_parser(settings)


def say(bot: Bot, parser, who: str, text: str) -> str:  # type: ignore[no-untyped-def]
    bot.say(who, text, parser=parser)
    return bot.last(who)


def _busy_lead(bot: Bot, parser) -> None:  # type: ignore[no-untyped-def]
    bot.new_lead(
        "priya", "Desai Pharma", contact_name="Hetal Desai", phone="+919824055667", email="hetal@desaipharma.in"
    )
    bot.say("priya", "x", cmd("qualify_lead", company="Desai Pharma"))
    bot.say("priya", "x", cmd("lead_details", company="Desai Pharma", details={"address": "Vatva GIDC, Ahmedabad",
                                                                              "turnover": "12 crore"}))  # fmt: skip
    say(bot, parser, "priya", "Schedule demo with Desai Pharma on Friday 11am")
    say(bot, parser, "priya", "remind me monday to send the proposal to Desai Pharma")
    say(bot, parser, "lata", "follow up with Desai Pharma on 3rd Dec")  # her team's lead


@pytest.mark.parametrize(
    "ask", ["what's the status of Desai Pharma?", "Desai Pharma ka status kya hai", "Desai Pharma ka kya scene hai"]
)
def test_status_tells_everything_useful(bot: Bot, parser, ask: str) -> None:  # type: ignore[no-untyped-def]
    _busy_lead(bot, parser)
    bot.say("priya", "x", cmd("add_activity", company="Desai Pharma", note="Spoke to Hetal, she wants GST reports"))
    reply = say(bot, parser, "priya", ask)
    assert reply.startswith("ℹ️ *Desai Pharma*")
    assert "Status: Demo scheduled" in reply and "Owner: Priya Sharma" in reply
    assert "Contact: Hetal Desai, +91 98240 55667, hetal@desaipharma.in" in reply
    assert "Next: Demo Fri 27 Nov, 11:00 AM" in reply
    assert "*Follow-ups & reminders* (2)" in reply
    assert "• Mon 30 Nov, 10:00 AM — send the proposal to Desai Pharma (Priya Sharma)" in reply and "(Priya Sharma)" in reply
    assert "• Thu 3 Dec, 10:00 AM — follow up with Desai Pharma (Lata Leader)" in reply
    assert "• Address: Vatva GIDC, Ahmedabad" in reply and "• Turnover: 12 crore" in reply
    assert "Still missing: current system, challenges" in reply
    assert reply.splitlines()[-1] == "Last activity: Tue 24 Nov — Spoke to Hetal, she wants GST reports"


def test_status_in_hindi_is_answered_in_hindi(bot: Bot, parser) -> None:  # type: ignore[no-untyped-def]
    bot.new_lead("priya", "Lotus Interiors", contact_name="Pooja Sharma", phone="+919811098111")
    reply = say(bot, parser, "priya", "लोटस इंटीरियर्स का स्टेटस बताओ")
    assert "*Lotus Interiors*" in reply and "स्टेटस:" in reply and "मालिक: Priya Sharma" in reply
    assert "अगला: कुछ तय नहीं" in reply and "अभी बाकी: पता, टर्नओवर, अभी का सिस्टम, चुनौतियाँ" in reply


def test_last_activity_is_cut_at_a_word_boundary(bot: Bot, parser) -> None:  # type: ignore[no-untyped-def]
    bot.new_lead("priya", "Kumar Steels")
    note = (
        "Met the purchase head at the Ghaziabad plant; they compare three vendors and want a written quotation "
        "with installation timelines before the board meeting"
    )
    bot.say("priya", "x", cmd("add_activity", company="Kumar Steels", note=note))
    reply = say(bot, parser, "priya", "Kumar Steels ka kya scene hai")
    last = next(line for line in reply.splitlines() if line.startswith("Last activity:"))
    shown = last.split(" — ", 1)[1]
    assert shown.endswith("…") and len(shown) <= 100
    assert note.startswith(shown[:-1]) and note[len(shown) - 1] == " "  # the cut falls between two words


def test_a_lost_lead_shows_why_and_asks_for_nothing(bot: Bot, parser) -> None:  # type: ignore[no-untyped-def]
    bot.new_lead("amit", "Nova Clinics")
    bot.say("amit", "x", cmd("mark_lost", company="Nova Clinics", note="went with a cheaper local vendor"))
    reply = say(bot, parser, "amit", "status of Nova Clinics")
    assert "Status: Lost" in reply and "Lost because: went with a cheaper local vendor" in reply
    assert "Still missing" not in reply and "Follow-ups" not in reply


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short note", 100, "short note"),
        ("call back after   the\nDiwali holidays", 100, "call back after the Diwali holidays"),
        ("alpha beta gamma delta", 15, "alpha beta…"),
        ("alpha beta, gamma delta", 17, "alpha beta…"),
        ("Supercalifragilistic expialidocious", 10, "Supercalifragilistic…"),
        ("Supercalifragilistic", 10, "Supercalifragilistic"),
    ],
)
def test_shorten_never_cuts_a_word(text: str, limit: int, expected: str) -> None:
    assert shorten(text, limit) == expected
