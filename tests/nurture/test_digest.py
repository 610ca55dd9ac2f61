"""The daily digest: content, nobody with nothing due, once per user per day, only from DIGEST_TIME, switchable."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from crm_core.db.models import Event, Outbox, User
from crm_core.db.session import Database
from crm_core.nurture.digest import plan_digests
from crm_core.settings import Settings
from tests.nurture.conftest import Team, local, start

MORNING = local(2026, 11, 25, 9, 0)


def _plan(db: Database, settings: Settings, now: datetime) -> int:
    with db.transaction() as s:
        return plan_digests(s, now, settings)


def _digests(db: Database) -> list[Outbox]:
    with db.transaction() as s:
        return list(s.scalars(select(Outbox).where(Outbox.kind == "digest").order_by(Outbox.id)))


def _event(db: Database, team: Team, kind: str, at: datetime, user: str, status: str = "scheduled") -> None:
    with db.transaction() as s:
        s.add(
            Event(
                lead_id=team.lead.id,
                kind=kind,
                starts_at=at,
                assignee_id=team.user(user).id,  # type: ignore[union-attr]
                status=status,
                created_at=at,
                updated_at=at,
            )
        )


def test_digest_lists_todays_meetings_demos_and_follow_ups(team: Team, db: Database, settings: Settings) -> None:
    start(team, settings, local(2026, 11, 24, 17, 30))  # day-1 follow-up due 25 Nov 10:00 for Amit
    _event(db, team, "meeting", local(2026, 11, 25, 12, 30), "amit")
    _event(db, team, "demo", local(2026, 11, 25, 16, 0), "amit")
    _event(db, team, "demo", local(2026, 11, 25, 18, 0), "amit", status="cancelled")
    _event(db, team, "meeting", local(2026, 11, 26, 11, 0), "amit")  # tomorrow
    _event(db, team, "meeting", local(2026, 11, 25, 11, 0), "neha")
    assert _plan(db, settings, MORNING) == 2
    by_user = {r.recipient_user_id: r for r in _digests(db)}
    amit = by_user[team.user("amit").id]
    assert amit.body == (
        "Good morning, Amit Kumar! Your plan for today, Wed 25 Nov:\n"
        "\n*Meetings (1)*\n• 12:30 PM — Sharma Traders (Rakesh Sharma)\n"
        "\n*Demos (1)*\n• 4:00 PM — Sharma Traders (Rakesh Sharma)\n"
        "\n*Follow-ups to forward (1)*\n• 10:00 AM — Sharma Traders (follow-up 1/3)\n"
        "\nEach follow-up arrives here at its time with the text to forward."
    )
    assert amit.urgent is False and amit.dedupe_key == f"digest:{team.user('amit').id}:2026-11-25"
    assert amit.recipient == team.user("amit").phone and amit.channel == "whatsapp"
    neha = by_user[team.user("neha").id]
    assert "*Meetings (1)*" in neha.body and "Demos" not in neha.body and "Follow-ups" not in neha.body


def test_nothing_goes_to_users_with_nothing_due(team: Team, db: Database, settings: Settings) -> None:
    assert _plan(db, settings, MORNING) == 0
    _event(db, team, "meeting", local(2026, 11, 25, 12, 30), "neha")
    assert _plan(db, settings, MORNING) == 1
    assert [r.recipient_user_id for r in _digests(db)] == [team.user("neha").id]


def test_once_per_user_per_day_and_again_the_next_day(team: Team, db: Database, settings: Settings) -> None:
    _event(db, team, "meeting", local(2026, 11, 25, 12, 30), "amit")
    _event(db, team, "meeting", local(2026, 11, 26, 12, 30), "amit")
    assert _plan(db, settings, MORNING) == 1
    assert _plan(db, settings, MORNING + timedelta(minutes=1)) == 0
    assert _plan(db, settings, MORNING + timedelta(hours=5)) == 0
    _event(db, team, "demo", local(2026, 11, 25, 17, 0), "amit")  # booked later that day: no second digest
    assert _plan(db, settings, MORNING + timedelta(hours=6)) == 0
    assert _plan(db, settings, MORNING + timedelta(days=1)) == 1
    assert len(_digests(db)) == 2


def test_not_before_digest_time_but_a_later_sweep_still_sends_it(team: Team, db: Database, settings: Settings) -> None:
    _event(db, team, "meeting", local(2026, 11, 25, 15, 0), "amit")
    assert _plan(db, settings, local(2026, 11, 25, 8, 59)) == 0
    assert _plan(db, settings, local(2026, 11, 25, 0, 30)) == 0
    assert _plan(db, settings, local(2026, 11, 25, 13, 0)) == 1  # the timer was down all morning
    # The day before does not plan today's digest, and the next day does not revive yesterday's.
    _event(db, team, "meeting", local(2026, 11, 27, 15, 0), "neha")
    assert _plan(db, settings, local(2026, 11, 26, 23, 59)) == 0
    assert _plan(db, settings, local(2026, 11, 28, 9, 30)) == 0


def test_configurable_time_and_switch(team: Team, db: Database, settings: Settings) -> None:
    _event(db, team, "meeting", local(2026, 11, 25, 15, 0), "amit")
    off = settings.model_copy(update={"digest_enabled": False})
    assert _plan(db, off, MORNING + timedelta(hours=1)) == 0
    late = settings.model_copy(update={"digest_time": "10:30"})
    assert _plan(db, late, local(2026, 11, 25, 10, 29)) == 0
    assert _plan(db, late, local(2026, 11, 25, 10, 30)) == 1


def test_inactive_users_get_no_digest(team: Team, db: Database, settings: Settings) -> None:
    _event(db, team, "meeting", local(2026, 11, 25, 15, 0), "amit")
    with db.transaction() as s:
        amit = s.get(User, team.user("amit").id)
        assert amit is not None
        amit.active = False
    assert _plan(db, settings, MORNING) == 0


def test_a_date_only_event_says_the_time_is_not_fixed(team: Team, db: Database, settings: Settings) -> None:
    with db.transaction() as s:
        s.add(
            Event(
                lead_id=team.lead.id,
                kind="demo",
                starts_at=local(2026, 11, 25, 10, 0),
                has_time=False,  # type: ignore[union-attr]
                assignee_id=team.user("amit").id,
                status="scheduled",
            )
        )
    _plan(db, settings, MORNING)
    assert "• time not fixed — Sharma Traders" in _digests(db)[0].body


def test_work_booked_after_the_digest_went_out_gets_no_second_digest(
    team: Team, db: Database, settings: Settings
) -> None:
    _event(db, team, "meeting", local(2026, 11, 25, 12, 30), "amit")
    assert _plan(db, settings, MORNING) == 1
    _event(db, team, "meeting", local(2026, 11, 25, 16, 0), "neha")  # booked at 10:00 for today
    assert _plan(db, settings, MORNING + timedelta(hours=1)) == 0


def test_a_late_catch_up_digest_greets_for_the_time_of_day(team: Team, db: Database, settings: Settings) -> None:
    _event(db, team, "meeting", local(2026, 11, 25, 18, 0), "amit")
    assert _plan(db, settings, local(2026, 11, 25, 13, 0)) == 1
    assert _digests(db)[0].body.startswith("Good afternoon, Amit Kumar!")
