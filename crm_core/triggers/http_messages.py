"""HTTP triggers for messages: the Maytapi webhook and the frontend's command endpoint and inbox."""

from __future__ import annotations

import azure.functions as func

bp = func.Blueprint()


@bp.route(route="webhook", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
def webhook(req: func.HttpRequest) -> func.HttpResponse:
    """Maytapi webhook: check, normalise, enqueue, answer 200 at once."""
    from crm_core.pipeline.webhook import handle_webhook

    return handle_webhook(req)


@bp.route(route="app", methods=["POST", "OPTIONS"], auth_level=func.AuthLevel.ANONYMOUS)
def app_command(req: func.HttpRequest) -> func.HttpResponse:
    """A command typed in the frontend, as the logged-in user; 202 with the message id."""
    from crm_core.api.app_inbox import post_message

    return post_message(req)


@bp.route(route="app/messages", methods=["GET", "OPTIONS"], auth_level=func.AuthLevel.ANONYMOUS)
def app_messages(req: func.HttpRequest) -> func.HttpResponse:
    """The bot's replies to the logged-in app user, after a given id."""
    from crm_core.api.app_inbox import list_messages

    return list_messages(req)
