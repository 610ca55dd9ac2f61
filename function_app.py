"""The Azure Functions app (Python v2 model): builds FunctionApp and registers the trigger blueprints.

Importing this module reads no setting, opens no connection and imports nothing heavy.
"""

import azure.functions as func

from crm_core.triggers.background import bp as background_bp
from crm_core.triggers.http_api import bp as api_bp
from crm_core.triggers.http_message_master import bp as message_master_bp
from crm_core.triggers.http_messages import bp as messages_bp

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
app.register_functions(messages_bp)
app.register_functions(api_bp)
app.register_functions(background_bp)
app.register_functions(message_master_bp)
