"""The command line: each subcommand is a module here with `register(subparsers)`; work is imported lazily."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Subcommand modules, in the order `--help` lists them.
COMMANDS = ("serve", "chat", "parse", "db", "users", "templates", "sweep", "demo", "openapi")


class CliError(Exception):
    """A user error on the command line: printed as one line, exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    """The argparse tree of every subcommand."""
    parser = argparse.ArgumentParser(prog="python -m crm_core", description="WhatsApp sales CRM")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"crm_core.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"crm_core.cli.{name}":
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; configuration and usage errors are one line on stderr, never a traceback."""
    from crm_core.settings import ConfigError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result = args.func(args)
    except (ConfigError, CliError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return int(result or 0)
