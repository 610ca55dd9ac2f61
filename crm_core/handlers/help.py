"""Help and the friendly answer to anything that is not a command."""

from __future__ import annotations

from datetime import timedelta

from crm_core.db.models import Lead
from crm_core.handlers.common import Request
from crm_core.handlers.context import HandlerContext
from crm_core.handlers.texts import t


def help_(ctx: HandlerContext, req: Request) -> Lead | None:
    """Examples of every command, in English and Hinglish (Hindi for Devanagari writers)."""
    # The example date is always ahead (five days from today, team time), never one already past.
    ahead = ctx.now().astimezone(ctx.settings.tz).date() + timedelta(days=5)
    ctx.reply(t(ctx, "help", example_day=f"{ahead.day} {ahead:%b}"))
    return None


def unknown(ctx: HandlerContext, req: Request) -> Lead | None:
    """A short pointer to help; nothing changes."""
    ctx.reply(t(ctx, "unknown"))
    return None
