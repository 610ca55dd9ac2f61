"""Run a T-SQL script (GO-separated batches, sqlcmd-style $(VAR) variables) against Azure SQL with an Entra token.

Usage: python infra/scripts/run_sql.py --server S.database.windows.net --database crm --file F.sql --var NAME=VALUE
The token comes from azure-identity's DefaultAzureCredential (your `az login`, or a pipeline's identity) through
the project's own engine (crm_core.db.engine): no user name or password anywhere.
"""

from __future__ import annotations

import argparse
import re
import sys
import urllib.parse
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_GO = re.compile(r"^\s*GO\s*;?\s*$", re.IGNORECASE | re.MULTILINE)
_VAR = re.compile(r"\$\((\w+)\)")
# Values end up inside T-SQL identifiers and N'…' literals: allow no quote, bracket, space or semicolon.
_SAFE_VALUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


class ScriptError(Exception):
    """A script or variable that cannot be run safely; the message says which."""


def split_batches(text: str) -> list[str]:
    """Split a script on `GO` lines, dropping empty batches (as sqlcmd does)."""
    return [b.strip() for b in _GO.split(text) if b.strip() and not _only_comments(b)]


def _only_comments(batch: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in batch.splitlines())


def substitute(text: str, variables: dict[str, str]) -> str:
    """Replace $(NAME) with its value; every referenced variable must be given and safe to embed."""
    for name, value in variables.items():
        if not _SAFE_VALUE.match(value):
            raise ScriptError(f"variable {name}={value!r} has characters not allowed in a database name or id")

    def _value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in variables:
            raise ScriptError(f"the script uses $({name}) but no --var {name}=… was given")
        return variables[name]

    return _VAR.sub(_value, text)


def parse_vars(pairs: Sequence[str]) -> dict[str, str]:
    """Turn NAME=VALUE pairs into a dict."""
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ScriptError(f"--var {pair!r} is not NAME=VALUE")
        out[name.strip()] = value.strip()
    return out


def azure_sql_url(server: str, database: str) -> str:
    """The passwordless URL for a server and database (the same form as DATABASE_URL in infra/main.bicep).

    The ODBC string goes whole through odbc_connect so SQLAlchemy adds no Trusted_Connection/UID/PWD: the token
    crm_core.db.engine injects is the only credential the driver sees.
    """
    host = server if "." in server else f"{server}.database.windows.net"
    odbc = (
        f"Driver={{ODBC Driver 18 for SQL Server}};Server=tcp:{host},1433;Database={database};"
        "Encrypt=yes;TrustServerCertificate=no;Connection Timeout=60"
    )
    return "mssql+pyodbc:///?odbc_connect=" + urllib.parse.quote_plus(odbc)


def run(url: str, batches: Sequence[str]) -> int:
    """Execute the batches in autocommit mode (CREATE USER cannot run in a transaction); return the count.

    The whole script is retried on transient errors (a paused serverless database resuming): it is idempotent.
    """
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from crm_core.db.engine import make_engine, with_retry

    engine = make_engine(url)

    def _execute_all() -> int:
        if engine.dialect.name == "mssql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                for batch in batches:
                    conn.exec_driver_sql(batch)
        else:  # other dialects (tests, local checks): one transaction
            with engine.begin() as conn:
                for batch in batches:
                    conn.exec_driver_sql(batch)
        return len(batches)

    try:
        return with_retry(_execute_all, attempts=6, base_delay=2.0)
    finally:
        engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--server", help="Azure SQL server name or FQDN")
    target.add_argument("--url", help="a full SQLAlchemy URL instead of --server/--database")
    p.add_argument("--database", help="database name (with --server)")
    p.add_argument("--file", required=True, type=Path)
    p.add_argument("--var", action="append", default=[], metavar="NAME=VALUE")
    args = p.parse_args(argv)
    try:
        if args.server and not args.database:
            raise ScriptError("--database is required with --server")
        script = substitute(args.file.read_text(encoding="utf-8"), parse_vars(args.var))
        url = args.url or azure_sql_url(args.server, args.database)
        count = run(url, split_batches(script))
    except (ScriptError, OSError) as exc:
        print(f"run_sql: {exc}", file=sys.stderr)
        return 2
    print(f"run_sql: {args.file.name}: {count} batch(es) executed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
