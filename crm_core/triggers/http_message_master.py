"""HTTP triggers for Message Master (nurture steps), for admins and leaders; OPTIONS answers CORS preflight."""

from __future__ import annotations

import azure.functions as func

bp = func.Blueprint()
ANON = func.AuthLevel.ANONYMOUS  # our own bearer tokens guard these routes


@bp.route(route="message-master", methods=["GET", "POST", "OPTIONS"], auth_level=ANON)
def message_master(req: func.HttpRequest) -> func.HttpResponse:
    """List the steps (GET) or add one (POST)."""
    from crm_core.api.message_master import handle

    return handle("collection", req)


@bp.route(route="message-master/{template_id}", methods=["GET", "PUT", "DELETE", "OPTIONS"], auth_level=ANON)
def message_master_step(req: func.HttpRequest) -> func.HttpResponse:
    """Read (GET), change (PUT) or delete (DELETE) one step."""
    from crm_core.api.message_master import handle

    return handle("item", req)
