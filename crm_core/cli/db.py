"""`db upgrade | downgrade | sql --dialect D`: Alembic migrations."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add the `db` subcommand."""
    p = sub.add_parser("db", help="database migrations")
    dsub = p.add_subparsers(dest="db_command", metavar="ACTION")
    dsub.required = True
    up = dsub.add_parser("upgrade", help="apply migrations (default: to head)")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(func=_upgrade)
    down = dsub.add_parser("downgrade", help="revert migrations (default: to base)")
    down.add_argument("revision", nargs="?", default="base")
    down.set_defaults(func=_downgrade)
    sql = dsub.add_parser("sql", help="print the whole schema's SQL from Alembic's offline mode")
    sql.add_argument("--dialect", default="mssql", choices=["mssql", "postgresql", "sqlite"])
    sql.set_defaults(func=_sql)


def _upgrade(args: argparse.Namespace) -> int:
    from crm_core.cli.common import container
    from crm_core.db.migrate import upgrade

    upgrade(container().database.engine, args.revision)
    print(f"database upgraded to {args.revision}")
    return 0


def _downgrade(args: argparse.Namespace) -> int:
    from crm_core.cli.common import container
    from crm_core.db.migrate import downgrade

    downgrade(container().database.engine, args.revision)
    print(f"database downgraded to {args.revision}")
    return 0


def _sql(args: argparse.Namespace) -> int:
    from crm_core.db.migrate import offline_sql

    print(offline_sql(args.dialect), end="")
    return 0
