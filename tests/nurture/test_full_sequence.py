"""The whole sequence over simulated days: the timer sweeps every 30 minutes with a fake clock and channel."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from crm_core.clock import FixedClock
from crm_core.composition import Container, set_container
from crm_core.db.models import Outbox
from crm_core.db.session import Database
from crm_core.delivery.sweep import run_scheduled_sweep, run_sweep
from crm_core.outbox import record
from crm_core.settings import Settings
from tests.conftest import FakeChannel
from tests.nurture.conftest import AMIT, Team, local, start

DONE = local(2026, 11, 24, 17, 30)


def _ticks(first: datetime, last: datetime, step: timedelta = timedelta(minutes=30)) -> Iterator[datetime]:
    at = first
    while at <= last:
        yield at
        at += step


def _simulate(container: Container, clock: FixedClock, first: datetime, last: datetime) -> list[tuple[datetime, str]]:
    """Run the timer's sweep at every tick; return (tick, text) for each message sent, in order."""
    channel = container.whatsapp
    assert isinstance(channel, FakeChannel)
    log: list[tuple[datetime, str]] = []
    for at in _ticks(first, last):
        clock.set(at)
        before = len(channel.messages)
        run_scheduled_sweep(now=at)
        log += [(at, m.text) for m in channel.messages[before:]]
    return log


def test_each_reminder_reaches_the_assignee_once_at_its_time(
    team: Team, quiet_settings: Settings, nurture_container: Container, clock: FixedClock, fake_channel: FakeChannel
) -> None:
    clock.set(DONE)
    assert start(team, quiet_settings, DONE) == 3
    log = _simulate(nurture_container, clock, DONE, local(2026, 12, 3, 23, 45))
    times = [local(2026, 11, 25, 10, 0), local(2026, 11, 27, 11, 0), local(2026, 12, 1, 10, 30)]
    assert [at for at, _ in log] == [t for t in times for _ in (1, 2)]  # a header, then the text, at each moment
    assert list(fake_channel.sent) == [AMIT]
    texts = [text for _, text in log]
    headers, forwards = texts[0::2], texts[1::2]
    assert [t.split(" for ")[0] for t in headers] == ["Follow-up 1/3", "Follow-up 2/3", "Follow-up 3/3"]
    assert all("*Sharma Traders* — Rakesh Sharma, +91 98765 43210. Forward the next message" in t for t in headers)
    # The second message is exactly the step's text, filled in — nothing added to it.
    assert forwards == [r.body for r in team.forwards()]
    assert forwards[0].startswith("Namaste Rakesh Sharma ji,") and all("Follow-up" not in t for t in forwards)
    messages = fake_channel.messages
    assert [m.attachment_url is not None for m in messages] == [False, True, False, False, False, False]
    assert messages[1].attachment_filename == "Product-Brochure.pdf"
    assert messages[1].attachment_mime == "application/pdf"
    rows = team.reminders()
    assert [r.status for r in rows] == ["sent"] * 3 and [r.attempts for r in rows] == [1, 1, 1]
    assert [r.sent_at for r in rows] == [at.astimezone(UTC) for at in times]
    assert [r.status for r in team.forwards()] == ["sent"] * 3
    # Sweeping again (or once more far later) sends nothing twice.
    assert run_sweep(nurture_container, now=local(2026, 12, 10, 12, 0)).sent == 0
    assert len(fake_channel.messages) == 6


def test_demo_done_twice_still_sends_each_message_once(
    team: Team, quiet_settings: Settings, nurture_container: Container, clock: FixedClock, fake_channel: FakeChannel
) -> None:
    start(team, quiet_settings, DONE)
    start(team, quiet_settings, DONE + timedelta(minutes=10))
    log = _simulate(nurture_container, clock, DONE, local(2026, 12, 2, 12, 0))
    assert len(log) == 6  # three follow-ups, each a header and its text


def test_won_midway_stops_the_rest(
    team: Team, quiet_settings: Settings, nurture_container: Container, clock: FixedClock, fake_channel: FakeChannel
) -> None:
    from crm_core.db.models import Lead
    from crm_core.nurture.sequence import cancel_pending

    start(team, quiet_settings, DONE)
    log = _simulate(nurture_container, clock, DONE, local(2026, 11, 26, 12, 0))
    assert len(log) == 2
    with team.db.transaction() as s:
        lead = s.get(Lead, team.lead.id)  # type: ignore[union-attr]
        assert lead is not None
        lead.status = "won"
        assert cancel_pending(s, lead=lead, actor_id=None, now=local(2026, 11, 26, 12, 5), reason="lead won") == 2
    assert _simulate(nurture_container, clock, local(2026, 11, 26, 12, 30), local(2026, 12, 3, 12, 0)) == []


def test_quiet_hours_defer_reminders_but_not_replies(
    team: Team, db: Database, nurture_container: Container, clock: FixedClock, fake_channel: FakeChannel
) -> None:
    night = local(2026, 11, 24, 22, 0)
    with db.transaction() as s:
        amit = s.get(type(team.user("amit")), team.user("amit").id)
        assert amit is not None
        reminder = record(s, to=amit, body="late reminder", kind="reminder", due_at=night, urgent=False)
        record(s, to=amit, body="a reply", kind="reply", due_at=night, urgent=True)
        s.flush()
        reminder_id = reminder.id
    clock.set(night + timedelta(minutes=5))
    stats = run_sweep(nurture_container, now=night + timedelta(minutes=5))
    assert fake_channel.sent[AMIT] == ["a reply"] and stats.deferred == 1
    with db.transaction() as s:
        row = s.get(Outbox, reminder_id)
        assert row is not None and row.status == "pending"
        assert row.due_at == local(2026, 11, 25, 9, 0).astimezone(UTC)
    log = _simulate(nurture_container, clock, night + timedelta(minutes=30), local(2026, 11, 25, 10, 0))
    assert log == [(local(2026, 11, 25, 9, 0), "late reminder")]


@pytest.fixture
def digest_container(
    settings: Settings, db: Database, clock: FixedClock, fake_channel: FakeChannel
) -> Iterator[Container]:
    c = Container(settings, database=db, clock=clock, whatsapp=fake_channel)
    set_container(c)
    yield c
    set_container(None)


def test_with_the_digest_on_each_follow_up_day_starts_with_one_digest(
    team: Team, settings: Settings, digest_container: Container, clock: FixedClock, fake_channel: FakeChannel
) -> None:
    start(team, settings, DONE)
    log = _simulate(digest_container, clock, DONE, local(2026, 12, 2, 23, 45))
    kinds = [
        ("digest" if t.startswith("Good morning") else "reminder" if t.startswith("Follow-up") else "text", at)
        for at, t in log
    ]
    assert kinds == [
        ("digest", local(2026, 11, 25, 9, 0)),
        ("reminder", local(2026, 11, 25, 10, 0)),
        ("text", local(2026, 11, 25, 10, 0)),
        ("digest", local(2026, 11, 27, 9, 0)),
        ("reminder", local(2026, 11, 27, 11, 0)),
        ("text", local(2026, 11, 27, 11, 0)),
        ("digest", local(2026, 12, 1, 9, 0)),
        ("reminder", local(2026, 12, 1, 10, 30)),
        ("text", local(2026, 12, 1, 10, 30)),
    ]
    assert "10:00 AM — Sharma Traders (follow-up 1/3)" in log[0][1]
