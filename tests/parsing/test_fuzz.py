"""The built-in parser never raises and always returns a valid command, whatever the text."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from crm_core.commands import Command
from crm_core.parsing.rules import RuleParser
from crm_core.ports import ParseContext

IST = ZoneInfo("Asia/Kolkata")
CTX = ParseContext(now=datetime(2026, 11, 24, 10, 0, tzinfo=IST), tz=IST, team_names=("Amit",), recent_leads=("Acme",))
PARSER = RuleParser()
VOCAB = (
    "new lead meeting demo kal 4 baje shaam parso 28/11 1st Dec Acme Pvt Ltd , ; : - . assign ko karo done "
    "qualified lost won 9876501234 +91 98470 11223 a@b.co address: turnover: मीटिंग कल शाम 5 बजे लीड असाइन "
    "reschedule to from status help ok thanks ¤ & ( ) 12:30 pm am 99 31/02 saade"
)
WORDS = st.sampled_from(VOCAB.split(" "))


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, max_size=25).map(" ".join))
def test_command_like_noise_never_breaks_the_parser(text: str) -> None:
    result = PARSER.parse(text, CTX)
    assert 0.0 <= result.confidence <= 1.0
    Command.model_validate(result.command.model_dump())


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_never_breaks_the_parser(text: str) -> None:
    result = PARSER.parse(text, CTX)
    assert 0.0 <= result.confidence <= 1.0
