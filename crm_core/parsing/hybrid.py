"""The hybrid parser: the built-in rules answer when sure; GPT-4o (when configured) only when they are not."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from crm_core.commands import Intent, ParseResult
from crm_core.parsing.rules import RuleParser
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
        """Parse one message; a GPT timeout or rate limit is raised as TransientError for the queue to retry."""
        ruled = self.rules.parse(text, ctx)
        if ruled.confidence >= self.threshold or self.gpt is None or not text.strip():
            return ruled
        gpt = self.gpt.parse(text, ctx)  # a TransientError propagates: the queue retries the message
        if gpt.command.intent is Intent.UNKNOWN and ruled.command.intent is not Intent.UNKNOWN:
            log.info("gpt did not understand; keeping the rules' guess (%s)", ruled.command.intent)
            return ruled.model_copy(update={"source": "rules", "tokens_used": gpt.tokens_used})
        return gpt


def build_parser(settings: Settings, *, offline: bool = False) -> Parser:
    """The app's parser: the hybrid with GPT when configured (the openai SDK is imported only on first use)."""
    rules = RuleParser(region=settings.default_region)
    gpt: Parser | None = None
    if settings.llm_configured and not offline:
        from crm_core.parsing.gpt import GptParser

        gpt = GptParser(settings)
    return HybridParser(rules, gpt, threshold=settings.parser_confidence_threshold)
