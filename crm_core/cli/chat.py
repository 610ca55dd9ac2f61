"""`chat --as USERNAME`: type as a team member and watch the whole pipeline answer, in this process.

Each line becomes an Envelope (provider "console") on an in-process queue; the app's own queue trigger runs it
through crm_core.pipeline (parse, handlers, outbox, post-commit delivery); a printing channel shows the replies
to you as `bot> …` and every notification to others as `→ Name (+91 98…): …`. Works on a pipe too (one message
per line), each line processed before the next is read.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
import threading
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from crm_core.ports import OutgoingMessage, SendResult

WAIT_SECONDS = 180.0  # a slow GPT call plus retries still fits; past it the line is reported as still running
QUIT = {"/quit", "/exit"}


def register(sub: Any) -> None:
    """Add the `chat` subcommand."""
    p = sub.add_parser("chat", help="talk to the bot as a user (the whole pipeline in-process)")
    p.add_argument("--as", dest="username", required=True, metavar="USERNAME", help="the user to type as")
    p.set_defaults(func=_chat)


class PrintingChannel:
    """A WhatsApp channel that prints: `bot> …` for the chatting user, `→ Name (+91 …): …` for anyone else."""

    def __init__(self, me: str, names: dict[str, str], stream: TextIO | None = None) -> None:
        self.me = me
        self.names = names
        self._stream = stream
        self._lock = threading.Lock()
        self.sent: list[OutgoingMessage] = []

    def _label(self, to: str) -> str:
        from crm_core.phones import pretty

        name = self.names.get(to)
        shown = pretty(to) if to.startswith("+") else to
        return f"→ {name} ({shown})" if name else f"→ {shown}"

    def send(self, message: OutgoingMessage) -> SendResult:
        """Print one message."""
        text = message.text
        if message.attachment_url:
            name = message.attachment_filename or message.attachment_url.rsplit("/", 1)[-1]
            text += f"\n[attachment: {name} <{message.attachment_url}>]"
        head = "bot>" if message.to == self.me else f"{self._label(message.to)}:"
        body = text.replace("\n", "\n" + " " * 5)
        with self._lock:
            self.sent.append(message)
            stream = self._stream or sys.stdout
            stream.write(f"{head} {body}\n")
            stream.flush()
        return SendResult(provider_message_id=f"chat-{uuid.uuid4().hex[:12]}")


def _load_files() -> None:
    from crm_core.localhost.config import load_dotenv_file, load_local_settings

    load_local_settings(Path("local.settings.json"))
    load_dotenv_file(Path(".env"))


def _user(container: Any, username: str) -> tuple[Any, dict[str, str]]:
    from sqlalchemy import select
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from crm_core.accounts import find_by_username
    from crm_core.cli import CliError
    from crm_core.db.models import User

    try:
        with container.database.transaction() as session:
            user = find_by_username(session, username)
            names = {u.phone: u.name for u in session.scalars(select(User))}
    except (OperationalError, ProgrammingError) as exc:
        raise CliError(f"cannot read users ({exc.orig}); run `python -m crm_core db upgrade` first") from None
    if user is None:
        raise CliError(f"no user {username!r}; see `python -m crm_core users list` (or `demo seed`)")
    if not user.active:
        raise CliError(f"user {user.username!r} is deactivated")
    return user, names


def _chat(args: argparse.Namespace) -> int:
    import function_app
    from crm_core.composition import Container, set_container
    from crm_core.localhost.config import queue_options, read_host_json
    from crm_core.localhost.host import default_host_json, queue_runners
    from crm_core.localhost.index import build_index
    from crm_core.settings import load_settings

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    _load_files()
    # In-process queue, no ordering delay: each line is processed before the next is read.
    settings = load_settings(QUEUE_BACKEND="memory", ORDERING_WINDOW_SECONDS=0)
    container = Container(settings)
    if container.database.engine.dialect.name == "sqlite":
        from crm_core.db.migrate import upgrade

        upgrade(container.database.engine)
    user, names = _user(container, args.username)
    channel = PrintingChannel(user.phone, names)
    container = Container(settings, database=container.database, whatsapp=channel)
    set_container(container)

    options = queue_options(read_host_json(default_host_json()))
    # Retries within the same line, not 30 s later.
    options = replace(options, visibility_timeout=min(options.visibility_timeout, 2.0), max_polling_interval=0.5)
    runners = queue_runners(build_index(function_app.app), settings, options)
    for runner in runners:
        runner.start()
    interactive = sys.stdin.isatty()
    if interactive:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401  (line editing and history for input())
        print(f"Chatting as {user.name} ({user.username}, {user.role}). Type a message; /quit or Ctrl-D ends.")
    try:
        _loop(container, user, runners, interactive)
    finally:
        for runner in runners:
            runner.stop()
        set_container(None)
    return 0


def _loop(container: Any, user: Any, runners: list[Any], interactive: bool) -> None:
    from pydantic import ValidationError

    from crm_core.envelope import Envelope

    inbound = next(r.queue for r in runners if r.queue.name == container.settings.inbound_queue.lower())
    prompt = f"{user.username}> "
    while True:
        try:
            line = input(prompt) if interactive else sys.stdin.readline()
        except EOFError:
            if interactive:
                print()
            return
        if not interactive:
            if line == "":
                return
            line = line.rstrip("\r\n")
            if line.strip():
                print(f"{prompt}{line}", flush=True)
        text = line.strip()
        if not text:
            continue
        if text in QUIT:
            return
        try:
            env = Envelope(
                provider="console",
                message_id=f"console-{uuid.uuid4()}",
                sender=user.phone,
                sender_name=user.name,
                text=text,
                sent_at=container.clock.now(),
            )
        except ValidationError as exc:
            print(f"error: {exc.errors()[0]['msg']}", file=sys.stderr, flush=True)
            continue
        inbound.send(env.to_json())
        if not all(r.drain(WAIT_SECONDS) for r in runners):
            print("(still processing; the reply will appear when it is ready)", file=sys.stderr, flush=True)
