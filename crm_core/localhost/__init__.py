"""The project's own local Functions host: runs `function_app` (HTTP, queue, timer triggers) from its index."""

from crm_core.localhost.host import LocalHost

__all__ = ["LocalHost"]
