"""Help and the friendly answer to anything that is not a command."""

from __future__ import annotations

from crm_core.db.models import Lead
from crm_core.handlers.common import Request
from crm_core.handlers.context import HandlerContext
from crm_core.handlers.texts import t


def help_(ctx: HandlerContext, req: Request) -> Lead | None:
    """Examples of every command, in English and Hinglish (Hindi for Devanagari writers)."""
    ctx.reply(t(ctx, "help"))
    return None


def unknown(ctx: HandlerContext, req: Request) -> Lead | None:
    """A short pointer to help; nothing changes."""
    ctx.reply(t(ctx, "unknown"))
    return None
