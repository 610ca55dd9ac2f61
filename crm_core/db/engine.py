"""Engine creation per dialect: SQLite (embedded), PostgreSQL, Azure SQL with an Entra token (no password)."""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import StaticPool

SQL_COPT_SS_ACCESS_TOKEN = 1256  # msodbcsql's pre-connect attribute for an access token
AZURE_SQL_SCOPE = "https://database.windows.net/.default"
# Azure SQL transient errors: serverless resume, failover, throttling (learn.microsoft.com, "transient faults").
TRANSIENT_MSSQL_CODES = frozenset(
    {
        "40613",
        "40197",
        "40501",
        "49918",
        "49919",
        "49920",
        "4060",
        "4221",
        "40143",
        "40540",
        "10928",
        "10929",
        "10053",
        "10054",
        "10060",
        "233",
        "64",
        "20",
        "0",
    }
)

T = TypeVar("T")


def token_struct(token: str) -> bytes:
    """Pack an access token the way msodbcsql expects it (length-prefixed UTF-16-LE)."""
    raw = token.encode("utf-16-le")
    return struct.pack(f"<I{len(raw)}s", len(raw), raw)


class TokenSource:
    """Lazily builds DefaultAzureCredential and returns fresh Azure SQL tokens (cached by azure-identity)."""

    def __init__(self, credential: Any | None = None) -> None:
        self._credential = credential

    def __call__(self) -> str:
        """A current access token for Azure SQL."""
        if self._credential is None:
            from azure.identity import DefaultAzureCredential

            self._credential = DefaultAzureCredential()
        return str(self._credential.get_token(AZURE_SQL_SCOPE).token)


def install_token_injection(engine: Engine, tokens: Callable[[], str]) -> None:
    """Inject an Entra access token into every new pyodbc connection (no UID/PWD anywhere)."""

    @event.listens_for(engine, "do_connect")
    def _provide_token(dialect: Any, conn_rec: Any, cargs: Any, cparams: dict[str, Any]) -> None:
        # Without a user SQLAlchemy asks for Windows auth; msodbcsql refuses that next to an access token.
        if cargs and isinstance(cargs[0], str):
            parts = [p for p in cargs[0].split(";") if p and p.strip().lower() != "trusted_connection=yes"]
            cargs[0] = ";".join(parts)
        cparams.pop("user", None)
        cparams.pop("password", None)
        attrs = dict(cparams.get("attrs_before") or {})
        attrs[SQL_COPT_SS_ACCESS_TOKEN] = token_struct(tokens())
        cparams["attrs_before"] = attrs


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _rec: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        if not _is_memory_conn(dbapi_conn):
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    # Make SQLite take its write lock at BEGIN, so concurrent writers queue instead of deadlocking.
    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _is_memory_conn(dbapi_conn: Any) -> bool:
    try:
        row = dbapi_conn.execute("PRAGMA database_list").fetchone()
        return not row[2]
    except Exception:
        return True


def make_engine(
    url: str | URL, *, token_source: Callable[[], str] | None = None, echo: bool = False, **extra: Any
) -> Engine:
    """Create the engine for a database URL with the right options for its dialect."""
    u = make_url(url)
    backend = u.get_backend_name()
    kwargs: dict[str, Any] = {"echo": echo, **extra}
    if backend == "sqlite":
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30, "isolation_level": None}
        if u.database in (None, "", ":memory:"):
            kwargs["poolclass"] = StaticPool
        engine = create_engine(u, **kwargs)
        _sqlite_pragmas(engine)
        return engine
    kwargs["pool_pre_ping"] = True
    if backend == "mssql":
        kwargs["fast_executemany"] = True
        kwargs["deprecate_large_types"] = True  # NVARCHAR(max), never NTEXT
        kwargs["pool_recycle"] = 1800
        engine = create_engine(u, **kwargs)
        if not u.password:
            install_token_injection(engine, token_source or TokenSource())
        return engine
    return create_engine(u, **kwargs)


def is_transient(exc: BaseException) -> bool:
    """Whether a database error is worth retrying (connection lost, serverless resume, throttling, deadlock)."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, OperationalError):
        text = (str(exc.orig) if exc.orig is not None else str(exc)).lower()
        permanent = (
            "no such table",
            "no such column",
            "syntax error",
            "does not exist",
            "invalid object name",
        )
        return not any(p in text for p in permanent)
    if isinstance(exc, DBAPIError):
        orig = exc.orig
        code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
        if code in {"40001", "40P01"}:  # serialization failure, deadlock (PostgreSQL)
            return True
        args = getattr(orig, "args", ())
        text = " ".join(str(a) for a in args)
        return any(f"({c})" in text or f"[{c}]" in text for c in TRANSIENT_MSSQL_CODES if len(c) >= 4) or (
            "deadlock" in text.lower()
        )
    return False


def with_retry(fn: Callable[[], T], *, attempts: int = 4, base_delay: float = 0.2) -> T:
    """Run fn, retrying transient database errors with exponential back-off (tenacity)."""
    from tenacity import retry, retry_if_exception, stop_after_attempt, wait_exponential_jitter

    runner = retry(
        retry=retry_if_exception(is_transient),
        stop=stop_after_attempt(attempts),
        wait=wait_exponential_jitter(multiplier=base_delay, max=5.0, jitter=base_delay),
        reraise=True,
    )(fn)
    return runner()
