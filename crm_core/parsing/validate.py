"""Turning a parser's field values into a valid Command: a value that fails validation is dropped, never guessed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from pydantic import ValidationError

from crm_core.commands import Command, Doubt, Intent
from crm_core.names import team_member
from crm_core.parsing.lexicon import STOP
from crm_core.ports import ParseContext


def safe_command(data: dict[str, Any]) -> tuple[Command | None, dict[str, str]]:
    """A Command from raw values, dropping the fields that fail validation; also what was dropped (key -> value).

    None when the intent itself is not valid. A dropped value is never replaced by a guess: the caller asks.
    """
    data = dict(data)
    dropped: dict[str, str] = {}
    for _ in range(len(data) + 1):
        try:
            return Command.model_validate(data), dropped
        except ValidationError as exc:
            bad = {str(err["loc"][0]) for err in exc.errors() if err.get("loc")}
            if not bad or "intent" in bad:
                return None, dropped
            for key in bad:
                if key in data:
                    dropped[key] = _shown(data.pop(key))
    return None, dropped


def _shown(value: Any) -> str:
    """A dropped value as the bot may echo it: an over-long one is cut, and says so."""
    text = str(value)
    return text if len(text) <= 60 else text[:57].rstrip() + "… (too long)"


# Words that are never a company by themselves: roles, documents, amounts' units, fillers.
_NOT_A_COMPANY = frozenset(
    {
        "md", "ceo", "owner", "proprietor", "manager", "purchase", "accounts", "po", "quotation", "quote", "qtn",
        "invoice", "proposal", "brochure", "catalogue", "catalog", "any", "some", "someone", "somebody", "visiting",
        "card", "visiting card", "number", "phone", "mobile", "email", "mail", "price", "pricing", "rate", "rates",
        "discount", "payment", "advance", "sample", "samples", "meeting", "demo", "call", "lead", "client",
        "customer", "sir", "madam", "ji", "bhai", "team", "office", "factory", "site", "details", "detail",
    }
)  # fmt: skip
_AMOUNT = re.compile(
    r"^(?:rs\.?|inr|₹)?\s*\d[\d,.]*\s*(?:%|percent|pc|k|lakh|lakhs|lac|lacs|cr|crore|crores|l|mn|million|bn|"
    r"लाख|करोड़|करोड)?$",
    re.I,
)
_DATEISH = re.compile(r"^\d{1,2}\s*[/\-.]\s*\d{1,2}(?:\s*[/\-.]\s*\d{2,4})?$|^\d{1,2}(?::\d{2})?\s*(?:am|pm)$", re.I)
_SCHEDULED = frozenset(
    {Intent.SCHEDULE_MEETING, Intent.SCHEDULE_DEMO, Intent.RESCHEDULE_MEETING, Intent.RESCHEDULE_DEMO}
)


def implausible_company(company: str) -> bool:
    """Whether a company value is really a command word, an amount, a date, a role or a filler."""
    folded = company.casefold().strip(" .,*_~")
    if not folded or folded in _NOT_A_COMPANY or _AMOUNT.match(folded) or _DATEISH.match(folded):
        return True
    words = re.findall(r"[\w\u0900-\u097F]+", folded)
    if not words:
        return True
    if all(w.isdigit() for w in words):
        return True
    return all(w in STOP or w in _NOT_A_COMPANY for w in words)


@dataclass
class Checked:
    """A command after validation against what is known, with what was doubted and what was taken out."""

    command: Command
    doubts: list[Doubt] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)

    def update(self) -> dict[str, object]:
        """The fields to set on a ParseResult."""
        return {"command": self.command, "doubts": self.doubts, "rejected": self.rejected}


def check_command(command: Command, ctx: ParseContext) -> Checked:
    """Validate a parsed command against the team and the clock; a failed value is removed and doubted."""
    out = Checked(command)
    heads = command.commands()
    fixed = [_check_one(c, ctx, out) for c in heads]
    out.command = fixed[0].model_copy(update={"also": fixed[1:]}) if len(fixed) > 1 else fixed[0]
    return out


def _check_one(command: Command, ctx: ParseContext, out: Checked) -> Command:
    changes: dict[str, object] = {}
    if command.assignee and ctx.team_names and team_member(command.assignee, ctx.team_names) is None:
        out.rejected.setdefault("assignee", command.assignee)
        _doubt(out, Doubt.ASSIGNEE)
        changes["assignee"] = None
    if command.company and (
        implausible_company(command.company)
        or (_a_member(command.company, ctx) and command.intent is not Intent.NEW_LEAD)
    ):
        out.rejected.setdefault("company", command.company)
        _doubt(out, Doubt.COMPANY)
        changes["company"] = None
    if command.intent in _SCHEDULED and command.when:
        moment = command.when_datetime(ctx.tz, time(23, 59))
        if moment is not None and moment < ctx.now:
            _doubt(out, Doubt.WHEN)
    return command.model_copy(update=changes) if changes else command


def _a_member(company: str, ctx: ParseContext) -> bool:
    """A one-word "company" that is a team member's name ("lead Neha ko reassign karo") names a person, not a lead."""
    return len(company.split()) == 1 and bool(ctx.team_names) and team_member(company, ctx.team_names) is not None


def _doubt(out: Checked, doubt: Doubt) -> None:
    if doubt not in out.doubts:
        out.doubts.append(doubt)
