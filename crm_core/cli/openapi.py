"""`openapi`: print the REST API's OpenAPI document (the one served at /api/openapi.json)."""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(sub: Any) -> None:
    """Add the `openapi` subcommand."""
    p = sub.add_parser("openapi", help="print the REST API's OpenAPI document (JSON)")
    p.set_defaults(func=_print)


def _print(args: argparse.Namespace) -> int:
    from crm_core.api.app import document

    print(json.dumps(document(), indent=2, ensure_ascii=False))
    return 0
