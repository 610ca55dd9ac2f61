"""The hybrid parser: the built-in rules answer when sure; GPT-4o (when configured) only when they are not."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from crm_core.commands import Intent, ParseResult
from crm_core.parsing.rules import RuleParser
from crm_core.parsing.validate import check_command
from crm_core.ports import ParseContext, Parser

if TYPE_CHECKING:
    from crm_core.settings import Settings

log = logging.getLogger(__name__)


class HybridParser:
    """Rules first; at most one GPT call per message, only when the rules are below the threshold."""

    def __init__(self, rules: RuleParser, gpt: Parser | None, threshold: float = 0.75) -> None:
        self.rules = rules
        self.gpt = gpt
        self.threshold = threshold

    def parse(self, text: str, ctx: ParseContext) -> ParseResult:
        """Parse one message; a GPT timeout or rate limit is raised as TransientError for the queue to retry.

        Below the threshold with no model, or when the model's answer fails validation, the result's source is
        "ask": the bot echoes what it understood and asks, and nothing is written until the answer.
        """
        ruled = self.rules.parse(text, ctx)
        settled = self._settled(text, ruled)
        return settled if settled is not None else self._ask_model(text, ctx, ruled)

    def parse_quick(self, text: str, ctx: ParseContext) -> ParseResult | None:
        """The rules' answer when it needs no model call (sure enough, or no model configured), else None.

        No I/O: the pipeline runs this under the sender's lock and calls `parse` only outside the transaction.
        """
        return self._settled(text, self.rules.parse(text, ctx))

    def _settled(self, text: str, ruled: ParseResult) -> ParseResult | None:
        if ruled.confidence >= self.threshold or not text.strip():
            return ruled
        if self.gpt is None:
            return ruled.model_copy(update={"source": "ask"})
        return None

    def _ask_model(self, text: str, ctx: ParseContext, ruled: ParseResult) -> ParseResult:
        assert self.gpt is not None
        gpt = self.gpt.parse(text, ctx)  # a TransientError propagates: the queue retries the message
        if gpt.command.intent is Intent.UNKNOWN and ruled.command.intent is not Intent.UNKNOWN:
            log.info("gpt did not understand; asking about the rules' reading (%s)", ruled.command.intent)
            return ruled.model_copy(update=_spent(gpt, source="ask"))
        checked = check_command(gpt.command, ctx)
        if checked.doubts:
            return gpt.model_copy(update={**_spent(gpt, source="ask"), **checked.update()})
        return gpt.model_copy(update={"command": checked.command})


def _spent(gpt: ParseResult, *, source: str) -> dict[str, object]:
    """The model's costs carried onto another result (so llm_calls and benchmarks still count them)."""
    return {
        "source": source,
        "tokens_used": gpt.tokens_used,
        "prompt_tokens": gpt.prompt_tokens,
        "completion_tokens": gpt.completion_tokens,
        "model": gpt.model,
        "latency_ms": gpt.latency_ms,
    }


def build_parser(settings: Settings, *, offline: bool = False) -> Parser:
    """The app's parser: the hybrid with GPT when configured (the openai SDK is imported only on first use)."""
    rules = RuleParser(region=settings.default_region)
    gpt: Parser | None = None
    if settings.llm_configured and not offline:
        from crm_core.parsing.gpt import GptParser

        gpt = GptParser(settings)
    return HybridParser(rules, gpt, threshold=settings.parser_confidence_threshold)
