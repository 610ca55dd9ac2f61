"""Alembic migrations, run programmatically: upgrade, downgrade, and offline SQL for a dialect."""

from __future__ import annotations

import io
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).with_name("migrations")
OFFLINE_URLS = {
    "mssql": "mssql+pyodbc://@azure-sql/crm?driver=ODBC+Driver+18+for+SQL+Server",
    "postgresql": "postgresql+psycopg://localhost/crm",
    "sqlite": "sqlite:///crm.db",
}


def alembic_config(
    url: str | None = None, *, engine: Engine | None = None, stdout: io.StringIO | None = None
) -> Config:
    """An Alembic config pointing at the packaged migrations (no alembic.ini needed)."""
    cfg = Config(stdout=stdout) if stdout is not None else Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to revision on the engine's database."""
    command.upgrade(alembic_config(engine=engine), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Revert migrations down to revision."""
    command.downgrade(alembic_config(engine=engine), revision)


def offline_sql(dialect: str) -> str:
    """The whole schema as SQL for a dialect, from Alembic's offline mode (what a DBA reviews)."""
    if dialect not in OFFLINE_URLS:
        raise ValueError(f"unknown dialect {dialect!r}; choose one of {', '.join(sorted(OFFLINE_URLS))}")
    buf = io.StringIO()
    cfg = alembic_config(OFFLINE_URLS[dialect], stdout=buf)
    cfg.output_buffer = buf
    command.upgrade(cfg, "head", sql=True)
    return buf.getvalue()
