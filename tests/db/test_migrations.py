"""Migrations: upgrade/downgrade on SQLite and PostgreSQL; models and migrations agree; T-SQL offline."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from crm_core.db.migrate import downgrade, offline_sql, upgrade
from crm_core.db.models import Base
from crm_core.db.session import Database

TABLES = {
    "users",
    "leads",
    "events",
    "activities",
    "message_master",
    "outbox",
    "inbound_messages",
    "conversation_state",
    "llm_calls",
    "queue_messages",
}


def _diff(db: Database) -> list:
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, Base.metadata)


def _round_trip(db: Database) -> None:
    assert TABLES <= set(inspect(db.engine).get_table_names())
    assert _diff(db) == []
    downgrade(db.engine)
    assert not (TABLES & set(inspect(db.engine).get_table_names()))
    upgrade(db.engine)
    assert TABLES <= set(inspect(db.engine).get_table_names())


def test_sqlite_upgrade_downgrade_and_no_drift(db: Database) -> None:
    _round_trip(db)


@pytest.mark.postgres
def test_postgres_upgrade_downgrade_and_no_drift(pg_db: Database) -> None:
    _round_trip(pg_db)


def test_mssql_offline_sql_is_unicode_and_modern() -> None:
    sql = offline_sql("mssql")
    assert "CREATE TABLE leads" in sql
    assert "company NVARCHAR(200) NOT NULL" in sql
    assert "NVARCHAR(max)" in sql
    assert "NTEXT" not in sql
    assert "DATETIME2" in sql
    # Message ids are unique per sender: another sender's colliding id is a different message.
    assert "uq_inbound_provider_sender_message UNIQUE (provider, sender, provider_message_id)" in sql


def test_offline_sql_rejects_unknown_dialect() -> None:
    with pytest.raises(ValueError, match="unknown dialect"):
        offline_sql("oracle")
