"""The Maytapi webhook: its own HTTP function, so a cold instance answering WhatsApp never imports FastAPI.

It is the hottest path (every WhatsApp message, Maytapi waits for the 200) and needs none of the API's machinery:
it checks the secret, normalises the payload, enqueues and answers. A literal route wins over the API's
catch-all (`{*route}`) in the Functions host, so `/api/webhook` always reaches this function.
"""

from __future__ import annotations

import azure.functions as func

bp = func.Blueprint()


@bp.route(route="webhook", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
def webhook(req: func.HttpRequest) -> func.HttpResponse:
    """Maytapi webhook: check, normalise, enqueue, answer 200 at once."""
    from crm_core.pipeline.webhook import handle_webhook

    return handle_webhook(req)
