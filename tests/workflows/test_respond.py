"""respond(): language, dispatch table, transient errors propagate, nothing committed by handlers."""

from __future__ import annotations

import pytest

from crm_core.commands import Intent, ParseResult
from crm_core.errors import TransientError
from crm_core.handlers import HANDLERS
from crm_core.ports import ParseContext
from tests.workflows.conftest import Bot, cmd


def test_every_intent_has_a_handler() -> None:
    assert set(HANDLERS) == set(Intent)


class _Failing:
    def parse(self, text: str, ctx: ParseContext) -> ParseResult:
        raise TransientError("GPT timed out")


def test_transient_parser_error_propagates_and_nothing_is_kept(bot: Bot) -> None:
    with pytest.raises(TransientError):
        bot.say("priya", "new lead Acme", parser=_Failing())
    assert bot.count_outbox() == 0


def test_transient_error_inside_a_handler_rolls_back(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    import crm_core.handlers.leads as leads

    bot.new_lead("priya", "Acme")

    def boom(*args: object, **kwargs: object) -> None:
        raise TransientError("database paused")

    monkeypatch.setattr(leads, "_save_details", boom)
    before = bot.count_outbox()
    with pytest.raises(TransientError):
        bot.say("priya", "qualified Acme", cmd("qualify_lead", company="Acme"))
    assert bot.lead("Acme").status == "new" and bot.count_outbox() == before
    assert len(bot.activities(bot.lead("Acme").id)) == 1


def test_outcome_carries_the_parse(bot: Bot) -> None:
    out = bot.say("priya", "help", cmd("help"))
    assert out.parse is not None and out.parse.command.intent == Intent.HELP and out.parse.confidence == 0.99


def test_every_reply_names_the_lead_it_acted_on(bot: Bot) -> None:
    lead = bot.new_lead("priya", "Acme")
    for command in (
        cmd("qualify_lead", company="acme"),
        cmd("schedule_meeting", company="acme", when="2026-11-25T16:00:00+05:30"),
        cmd("meeting_done", company="acme"),
        cmd("add_activity", company="acme", note="x"),
        cmd("lead_info", company="acme"),
        cmd("mark_won", company="acme"),
    ):
        bot.say("priya", "x", command)
        assert "*Acme*" in bot.last("priya"), command.intent
        assert bot.rows("priya", "reply")[-1].lead_id == lead.id
