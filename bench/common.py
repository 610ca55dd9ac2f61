"""Shared pieces of the benchmarks: figures with targets, timing, statement counting, fresh databases."""

from __future__ import annotations

import math
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

IST = ZoneInfo("Asia/Kolkata")
# The corpus's moment: Tuesday 24 Nov 2026, 10:00 in India (the same as the tests).
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=IST)
REPO = Path(__file__).resolve().parent.parent
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
WEBHOOK_SECRET = "bench-webhook-secret"
AUTH_SECRET = "bench-auth-secret-0123456789abcdef0123456789"


@dataclass(frozen=True)
class Target:
    """A target from the issue: `value op threshold` must hold (op is '<=' or '>=')."""

    op: str
    threshold: float
    text: str

    def met(self, value: float | None) -> bool | None:
        """Whether a value makes the target (None when there is no value)."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        return value <= self.threshold if self.op == "<=" else value >= self.threshold


@dataclass
class Figure:
    """One reported number with its unit, its target (if the issue sets one) and whether it is met."""

    section: str
    name: str
    value: float | int | str | None
    unit: str
    target: str | None = None
    met: bool | None = None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The figure for results.json."""
        return asdict(self)


def figure(
    section: str, name: str, value: float | int | None, unit: str, target: Target | None = None, note: str = ""
) -> Figure:
    """A figure, checked against its target."""
    met = target.met(float(value)) if (target is not None and value is not None) else None
    return Figure(section, name, value, unit, target.text if target else None, met, note)


def not_measured(section: str, name: str, reason: str, target: Target | None = None) -> Figure:
    """A figure that could not be measured, with the reason."""
    return Figure(section, name, None, "", target.text if target else None, None, f"not measured: {reason}")


@dataclass
class Sizes:
    """How big each measurement is; `quick()` is the smoke-test size, env BENCH_<NAME> overrides either."""

    parser_messages: int = 20_000
    ack_calls: int = 400
    azurite_calls: int = 200
    baseline_calls: int = 5
    baseline_gpt_seconds: float = 1.0
    rps_requests: int = 2_000
    rps_clients: int = 8
    process_stories: int = 30
    small_leads: int = 100
    big_leads: int = 100_000
    count_stories: int = 1  # at both sizes, after a warm-up story; a story at 100,000 leads takes tens of seconds
    sweep_reminders: int = 10_000
    history_entries: int = 5_000
    user_leads: int = 50_000
    read_calls: int = 200
    read_budget_seconds: float = 10.0
    cold_runs: int = 11
    senders_messages: int = 30  # per sender, in the two-sender run
    senders_gpt_seconds: float = 1.5  # the stand-in model's time on a fifth of sender A's messages
    senders_pace_ms: float = 100.0  # each sender writes this often
    senders_workers: int = 4  # queue function invocations at once
    media_messages: int = 12  # voice notes, and as many cards
    media_model_seconds: float = 1.0  # the speech-to-text / vision stand-in's time
    postgres: bool = True
    azurite: bool = True

    @classmethod
    def quick(cls) -> Sizes:
        """A tiny run: every measurement once, in seconds (the smoke test)."""
        return cls(
            parser_messages=200,
            ack_calls=20,
            azurite_calls=5,
            baseline_calls=2,
            baseline_gpt_seconds=0.01,
            rps_requests=40,
            rps_clients=2,
            process_stories=1,
            small_leads=10,
            big_leads=200,
            count_stories=1,
            sweep_reminders=300,
            history_entries=50,
            user_leads=300,
            read_calls=10,
            cold_runs=1,
            senders_messages=5,
            senders_gpt_seconds=0.05,
            senders_pace_ms=20.0,
            media_messages=4,
            media_model_seconds=0.02,
        )

    def with_env(self) -> Sizes:
        """These sizes with BENCH_<FIELD> environment overrides applied (e.g. BENCH_BIG_LEADS=20000)."""
        out = Sizes(**asdict(self))
        for name, value in asdict(self).items():
            raw = os.environ.get(f"BENCH_{name.upper()}")
            if raw is None:
                continue
            if isinstance(value, bool):
                setattr(out, name, raw.strip().lower() in {"1", "true", "yes", "on"})
            elif isinstance(value, int):
                setattr(out, name, int(raw))
            else:
                setattr(out, name, float(raw))
        return out


@dataclass
class Run:
    """The state of one bench run: sizes, a scratch directory, and the figures collected so far."""

    sizes: Sizes
    workdir: Path
    quick: bool = False
    figures: list[Figure] = field(default_factory=list)

    def add(self, *figs: Figure) -> None:
        """Collect figures."""
        self.figures.extend(figs)


def percentile(samples: list[float], pct: float) -> float:
    """The nearest-rank percentile of samples (pct in 0..100)."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def median(samples: list[float]) -> float:
    """The median of samples."""
    return percentile(samples, 50) if len(samples) % 2 else _mean_mid(samples)


def _mean_mid(samples: list[float]) -> float:
    ordered = sorted(samples)
    if not ordered:
        return math.nan
    mid = len(ordered) // 2
    return (ordered[mid - 1] + ordered[mid]) / 2


def timed_ms(fn: Callable[[], Any], n: int, budget_seconds: float | None = None, at_least: int = 20) -> list[float]:
    """Call fn n times (or until the budget is spent, after at least `at_least` calls); durations in ms."""
    out: list[float] = []
    deadline = time.perf_counter() + budget_seconds if budget_seconds else math.inf
    for _ in range(n):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
        if len(out) >= at_least and time.perf_counter() > deadline:
            break
    return out


_CONTROL = ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT")


class StatementCounter:
    """Counts SQL statements sent to an engine (SQLAlchemy's before_cursor_execute event)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.count = 0
        self.control = 0  # BEGIN / SAVEPOINT / RELEASE ... (SQLite's BEGIN IMMEDIATE is sent as a statement)
        self.statements: list[str] = []
        self.keep = False

    def _on_execute(self, conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        self.count += 1
        if statement.lstrip()[:9].upper().startswith(_CONTROL):
            self.control += 1
        if self.keep:
            self.statements.append(statement)

    def __enter__(self) -> StatementCounter:
        from sqlalchemy import event

        event.listen(self.engine, "before_cursor_execute", self._on_execute)
        return self

    def __exit__(self, *exc: object) -> None:
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._on_execute)

    def take(self) -> int:
        """The count since the last take, and reset."""
        n, self.count, self.control = self.count, 0, 0
        self.statements = []
        return n

    def take_both(self) -> tuple[int, int]:
        """All statements and the transaction-control ones among them since the last take, and reset."""
        control = self.control
        return self.take(), control


def bench_settings(database_url: str, **overrides: Any) -> Any:
    """Settings for a bench run: a given database, fixed secrets, fake channels, the in-process queue."""
    from crm_core.settings import load_settings

    values: dict[str, Any] = {
        "DATABASE_URL": database_url,
        "WEBHOOK_SECRET": WEBHOOK_SECRET,
        "AUTH_SECRET": AUTH_SECRET,
        "CHANNEL": "console",
        "QUEUE_BACKEND": "memory",
        "ORDERING_WINDOW_SECONDS": 0,
    }
    values.update(overrides)
    return load_settings(**values)


def sqlite_url(run: Run, name: str) -> str:
    """A URL for a fresh SQLite file in the run's scratch directory."""
    path = run.workdir / f"{name}-{uuid.uuid4().hex[:6]}.db"
    return f"sqlite:///{path}"


def migrated(url: str) -> Any:
    """A Database on url with the schema migrated to head."""
    from crm_core.db.migrate import upgrade
    from crm_core.db.session import Database

    db = Database(url)
    upgrade(db.engine)
    return db


def pg_base_url() -> str:
    """The PostgreSQL server to use: TEST_DATABASE_URL, else the local default."""
    return os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG_URL


def postgres_reason() -> str | None:
    """Why PostgreSQL cannot be used (None when it can)."""
    try:
        from sqlalchemy import create_engine, text

        engine = create_engine(pg_base_url(), connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        return f"PostgreSQL unreachable at {pg_base_url()} ({type(exc).__name__})"
    return None


@contextmanager
def postgres_database() -> Iterator[Any]:
    """A migrated Database in a fresh PostgreSQL schema, dropped afterwards."""
    from sqlalchemy import create_engine, text

    url = pg_base_url()
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    scoped = f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    db = migrated(scoped)
    try:
        yield db
    finally:
        db.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def sqlite_database(run: Run, name: str) -> Iterator[Any]:
    """A migrated Database in a fresh SQLite file."""
    db = migrated(sqlite_url(run, name))
    try:
        yield db
    finally:
        db.dispose()


def scratch_dir() -> Path:
    """A scratch directory for the run's databases and Azurite's files."""
    return Path(tempfile.mkdtemp(prefix="crm-bench-"))


def fmt(value: float | int | str | None) -> str:
    """A figure's value for the table: 3 significant digits, thousands separated."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if math.isnan(value):
        return "—"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"
