"""The Azure Functions app (Python v2 model): the REST API behind `func.AsgiFunctionApp`, plus the webhook, the
queue triggers and the timer as their own functions.

Importing this module reads no setting, opens no connection and imports nothing heavy: the API's ASGI app
(crm_core.triggers.http_api) imports FastAPI on its first request; every other trigger imports its work inside.
"""

import azure.functions as func

from crm_core.triggers.background import bp as background_bp
from crm_core.triggers.http_api import api
from crm_core.triggers.http_messages import bp as messages_bp

app = func.AsgiFunctionApp(app=api, http_auth_level=func.AuthLevel.ANONYMOUS)
app.register_functions(messages_bp)
app.register_functions(background_bp)
