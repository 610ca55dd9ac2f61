"""crm_core: the WhatsApp sales CRM behind function_app.py (nothing heavy is imported here)."""

__all__ = ["__version__"]
__version__ = "0.1.0"
