"""Engine options per dialect: Entra token injection for Azure SQL, transient error classification."""

from __future__ import annotations

import struct
import types
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from crm_core.db.engine import (
    SQL_COPT_SS_ACCESS_TOKEN,
    install_token_injection,
    is_transient,
    make_engine,
    token_struct,
    with_retry,
)
from crm_core.db.models import UTCDateTime


def test_token_struct_is_length_prefixed_utf16() -> None:
    packed = token_struct("abc")
    (length,) = struct.unpack("<I", packed[:4])
    assert length == 6
    assert packed[4:].decode("utf-16-le") == "abc"


def test_token_is_injected_on_connect_and_no_password_is_passed() -> None:
    # A stand-in DBAPI module: no ODBC driver manager is needed to check what reaches connect().
    fake_pyodbc = types.SimpleNamespace(
        version="5.2.0", paramstyle="qmark", Error=Exception, connect=None, Cursor=type("Cursor", (), {"nextset": None})
    )
    engine = make_engine(
        "mssql+pyodbc://@myserver.database.windows.net/crm?driver=ODBC+Driver+18+for+SQL+Server",
        token_source=lambda: "tok-1",
        module=fake_pyodbc,
    )
    assert engine.dialect.name == "mssql"
    captured: dict = {}

    # Fire the do_connect listeners the way SQLAlchemy does, without a server.
    cargs_tuple, cparams = engine.dialect.create_connect_args(engine.url)
    cargs = list(cargs_tuple)  # create_engine hands do_connect a list
    assert "Trusted_Connection=Yes" in cargs[0]  # what SQLAlchemy builds for a URL without a user
    cparams.update({"user": "x", "password": "y"})
    for fn in engine.dialect.dispatch.do_connect:
        fn(engine.dialect, None, cargs, cparams)
    captured.update(cparams)
    assert "Trusted_Connection" not in cargs[0]
    assert "Server=myserver.database.windows.net" in cargs[0] and "UID" not in cargs[0] and "PWD" not in cargs[0]
    assert "user" not in captured and "password" not in captured
    assert captured["attrs_before"][SQL_COPT_SS_ACCESS_TOKEN] == token_struct("tok-1")


def test_token_is_fresh_for_each_connection() -> None:
    engine = make_engine("sqlite://")
    tokens = iter(["t1", "t2"])
    install_token_injection(engine, lambda: next(tokens))
    seen = []
    for _ in range(2):
        cparams: dict = {}
        for fn in engine.dialect.dispatch.do_connect:
            fn(engine.dialect, None, [], cparams)
        if "attrs_before" in cparams:
            seen.append(cparams["attrs_before"][SQL_COPT_SS_ACCESS_TOKEN])
    assert seen == [token_struct("t1"), token_struct("t2")]


class _Orig(Exception):
    pass


def test_transient_classification() -> None:
    assert is_transient(OperationalError("SELECT 1", {}, _Orig("database is locked")))
    assert is_transient(OperationalError("SELECT 1", {}, _Orig("server closed the connection unexpectedly")))
    assert not is_transient(OperationalError("SELECT 1", {}, _Orig("no such table: leads")))
    assert not is_transient(IntegrityError("INSERT", {}, _Orig("UNIQUE constraint failed")))
    assert not is_transient(ValueError("x"))


def test_with_retry_retries_transient_then_succeeds() -> None:
    calls = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("SELECT 1", {}, _Orig("Database 'crm' is not currently available (40613)"))
        return "ok"

    assert with_retry(flaky, base_delay=0.001) == "ok"
    assert len(calls) == 3


def test_with_retry_does_not_retry_permanent() -> None:
    calls = []

    def broken() -> None:
        calls.append(1)
        raise IntegrityError("INSERT", {}, _Orig("duplicate"))

    with pytest.raises(IntegrityError):
        with_retry(broken, base_delay=0.001)
    assert len(calls) == 1


def test_utc_column_refuses_naive_and_normalises_offsets() -> None:
    col = UTCDateTime()
    ist = timezone(timedelta(hours=5, minutes=30))
    stored = col.process_bind_param(datetime(2026, 11, 24, 10, 0, tzinfo=ist), None)  # type: ignore[arg-type]
    assert stored == datetime(2026, 11, 24, 4, 30)
    assert col.process_result_value(stored, None) == datetime(2026, 11, 24, 4, 30, tzinfo=UTC)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        col.process_bind_param(datetime(2026, 11, 24, 10, 0), None)  # type: ignore[arg-type]


def test_devanagari_round_trips_through_sqlite(db) -> None:
    from crm_core.accounts import NewUser, create_user
    from crm_core.db.models import User

    with db.transaction() as s:
        create_user(s, NewUser(username="pooja", name="पूजा शर्मा", phone="9811098110"))
    with db.transaction() as s:
        assert s.query(User).one().name == "पूजा शर्मा"
