"""The bench's helpers: percentiles, targets, sizes from the environment, statement counting, the table."""

from __future__ import annotations

import math

from bench.__main__ import table
from bench.common import Sizes, StatementCounter, Target, figure, not_measured, percentile


def test_percentile_is_nearest_rank() -> None:
    samples = [float(i) for i in range(1, 101)]
    assert percentile(samples, 50) == 50.0
    assert percentile(samples, 99) == 99.0
    assert percentile([3.0], 99) == 3.0
    assert math.isnan(percentile([], 50))


def test_targets_check_both_directions() -> None:
    at_most = Target("<=", 8, "≤ 8")
    at_least = Target(">=", 100, "≥ 100×")
    assert at_most.met(8) is True and at_most.met(9) is False
    assert at_least.met(100) is True and at_least.met(99.9) is False
    assert at_most.met(None) is None and at_most.met(math.nan) is None


def test_figure_records_whether_its_target_is_met() -> None:
    f = figure("s", "n", 12.5, "ms", Target("<=", 15, "≤ 15 ms"))
    assert (f.value, f.unit, f.target, f.met) == (12.5, "ms", "≤ 15 ms", True)
    assert figure("s", "n", 3, "x").met is None
    missing = not_measured("s", "n", "no Azurite")
    assert missing.value is None and missing.note == "not measured: no Azurite"


def test_sizes_take_environment_overrides(monkeypatch) -> None:
    monkeypatch.setenv("BENCH_BIG_LEADS", "2000")
    monkeypatch.setenv("BENCH_POSTGRES", "no")
    monkeypatch.setenv("BENCH_BASELINE_GPT_SECONDS", "0.5")
    sizes = Sizes().with_env()
    assert sizes.big_leads == 2000 and sizes.postgres is False and sizes.baseline_gpt_seconds == 0.5
    assert Sizes.quick().big_leads < Sizes().big_leads


def test_statement_counter_counts_each_statement() -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine("sqlite://")
    with StatementCounter(engine) as counter, engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        conn.execute(text("SELECT 2"))
        assert counter.take() == 2
        conn.execute(text("SELECT 3"))
        assert counter.take() == 1
    with engine.connect() as conn:
        conn.execute(text("SELECT 4"))
    assert counter.count == 0


def test_table_shows_missed_targets() -> None:
    text = table([figure("sweep", "deliver", 12.0, "s", Target("<=", 10, "≤ 10 s")), not_measured("reads", "x", "why")])
    assert "NO" in text and "not measured: why" in text and "12.0" in text
