"""The timer's entry: digests planned first (when enabled), a broken planner never stops the sweep."""

from __future__ import annotations

import sys
import types

import pytest

from crm_core.composition import Container, set_container
from crm_core.delivery.sweep import run_scheduled_sweep
from tests.delivery.helpers import add_rows


@pytest.fixture
def planner(monkeypatch):
    calls: list[tuple] = []
    module = types.ModuleType("crm_core.nurture.digest")

    def plan_digests(session, now, settings):
        calls.append((now, settings.digest_time))

    module.plan_digests = plan_digests  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "crm_core.nurture.digest", module)
    return module, calls


def _container(settings, db, clock, fake_channel, **changes):
    c = Container(settings.model_copy(update=changes), database=db, clock=clock, whatsapp=fake_channel)
    set_container(c)
    return c


def test_scheduled_sweep_plans_digests_then_sends(settings, db, clock, fake_channel, planner):
    _, calls = planner
    _container(settings, db, clock, fake_channel, digest_enabled=True)
    add_rows(db, 2, clock.now())
    stats = run_scheduled_sweep(past_due=True)
    assert calls == [(clock.now(), "09:00")]
    assert stats.sent == 2


def test_digests_can_be_turned_off(settings, db, clock, fake_channel, planner):
    _, calls = planner
    _container(settings, db, clock, fake_channel, digest_enabled=False)
    add_rows(db, 1, clock.now())
    assert run_scheduled_sweep().sent == 1
    assert calls == []


def test_a_broken_digest_planner_does_not_stop_the_sweep(settings, db, clock, fake_channel, planner, caplog):
    module, _ = planner

    def broken(session, now, settings):
        raise RuntimeError("bug in digest")

    module.plan_digests = broken
    _container(settings, db, clock, fake_channel, digest_enabled=True)
    add_rows(db, 1, clock.now())
    assert run_scheduled_sweep().sent == 1
    assert any("digest planning failed" in r.getMessage() for r in caplog.records)
