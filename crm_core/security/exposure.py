"""Refuse to expose the local host beyond loopback while the well-known local secrets are in use.

`make run` (and local.settings.json.example) set WEBHOOK_SECRET and AUTH_SECRET to published values so a fresh
checkout works without configuration. Anyone who has read the repository can then sign API tokens and post
webhooks; that is harmless on 127.0.0.1 only.
"""

from __future__ import annotations

import ipaddress
import socket

from crm_core.settings import Settings

# The published defaults, by setting name (Makefile `run`, local.settings.json.example).
WELL_KNOWN_SECRETS: dict[str, frozenset[str]] = {
    "WEBHOOK_SECRET": frozenset({"local-webhook-secret-change-me"}),
    "AUTH_SECRET": frozenset({"local-auth-secret-change-me-32-bytes-min"}),
}


def is_loopback(host: str) -> bool:
    """Whether an address to listen on is reachable from this machine only (127.0.0.0/8, ::1, localhost)."""
    name = host.strip().strip("[]")
    if not name:
        return False  # "" listens on every interface
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(name, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_loopback for info in infos)


def default_secrets_in_use(settings: Settings) -> list[str]:
    """The settings that still hold a well-known default value."""
    values = {"WEBHOOK_SECRET": settings.webhook_secret, "AUTH_SECRET": settings.auth_secret}
    return [name for name, known in WELL_KNOWN_SECRETS.items() if (values[name] or "") in known]


def exposure_problem(host: str, settings: Settings) -> str | None:
    """One line saying why listening on `host` is refused, or None when it is fine."""
    if is_loopback(host):
        return None
    names = default_secrets_in_use(settings)
    if not names:
        return None
    which = " and ".join(names)
    verb = "has" if len(names) == 1 else "have"
    return (
        f"refusing to listen on {host or '*'}: {which} {verb} the well-known default from `make run`; "
        f"set {which} to a random value (e.g. `openssl rand -hex 32`) or listen on 127.0.0.1"
    )
