"""`serve [--host 127.0.0.1] [--port 7071]`: run function_app on the project's own local Functions host."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
import time
from typing import Any

EXAMPLE_PHONE = "919800000001"


def register(sub: Any) -> None:
    """Add the `serve` subcommand."""
    p = sub.add_parser("serve", help="run the Functions app locally (HTTP, queue and timer triggers)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=7071, help="port to listen on (default 7071; 0 picks a free one)")
    p.set_defaults(func=_serve)


def configure_logging() -> None:
    """One line per request, per processed message and per timer run; libraries stay quiet."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)-7s %(name)s: %(message)s", stream=sys.stderr
    )
    for noisy in ("alembic", "azure", "urllib3", "httpx", "openai"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _example_user(container: Any) -> tuple[str, str | None]:
    """A registered user's phone (Maytapi form) and username for the printed examples."""
    from sqlalchemy import select

    from crm_core.db.models import User

    try:
        with container.database.transaction() as session:
            users = session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)).all()
            rank = {"leader": 0, "member": 1}
            for user in sorted(users, key=lambda u: rank.get(u.role, 2)):
                return user.phone.lstrip("+"), user.username
    except Exception:  # an empty or foreign database only costs the example its realism
        logging.getLogger(__name__).debug("no user for the example", exc_info=True)
    return EXAMPLE_PHONE, None


def how_to_talk(
    url: str,
    secret: str | None,
    phone: str,
    username: str | None,
    product_id: str | None = None,
    phone_id: str | None = None,
) -> str:
    """The banner: a curl for /api/webhook with a Maytapi-shaped body, and the chat command."""
    body: dict[str, Any] = {"product_id": product_id} if product_id else {}
    if phone_id:
        body["phone_id"] = int(phone_id) if phone_id.isdigit() else phone_id
    body |= {
        "type": "message",
        "message": {"id": "local-1", "type": "text", "text": "help", "fromMe": False},
        "user": {"id": f"{phone}@c.us", "name": "Local tester", "phone": phone},
        "conversation": f"{phone}@c.us",
        "timestamp": int(time.time()),
    }
    secret_note = secret or "<WEBHOOK_SECRET is not set: the webhook refuses every call until it is>"
    lines = [
        f"CRM bot running on {url}  (Ctrl-C stops it)",
        "",
        "Talk to it like Maytapi does (change the text, and message.id for each new message):",
        f"  curl -s -X POST '{url}/api/webhook?secret={secret_note}' \\",
        "       -H 'Content-Type: application/json' \\",
        f"       -d '{json.dumps(body, ensure_ascii=False)}'",
        "",
        "Or chat as a user, in another terminal (replies print as `bot> …`):",
        f"  python -m crm_core chat --as {username or '<username>'}",
        "",
        f"API: {url}/api/docs (Swagger UI) · replies go to the console unless Maytapi is configured (MAYT_API_URL)",
    ]
    return "\n".join(lines)


def dashboard_line(url: str, web_root: Any, username: str | None) -> str:
    """Where the web dashboard is (the local host's root), or how to build it."""
    from crm_core.web.static import StaticSite

    if web_root is False:
        return "Web dashboard: off"
    if not StaticSite(None if isinstance(web_root, bool) else web_root).built():
        return "Web dashboard: not built (run `make web`, then reload)"
    who = f" — log in as {username}" if username else ""
    return f"Web dashboard: {url}/{who}\n"


def _serve(args: argparse.Namespace) -> int:
    from crm_core.cli import CliError
    from crm_core.localhost import LocalHost

    configure_logging()
    host = LocalHost(host=args.host, port=args.port)
    try:
        url = host.start()
    except OSError as exc:
        host.stop()
        raise CliError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}; try --port") from None
    assert host.container is not None
    phone, username = _example_user(host.container)
    settings = host.container.settings
    banner = how_to_talk(
        url, settings.webhook_secret, phone, username, settings.maytapi_product_id, settings.maytapi_phone_id
    )
    print(dashboard_line(url, host.web_root, username), flush=True)
    print(banner, flush=True)
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        print("stopping…", file=sys.stderr, flush=True)
        host.stop()
        print("stopped", file=sys.stderr, flush=True)
    return 0
