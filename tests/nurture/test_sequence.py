"""Scheduling the post-demo sequence: due times, the forwarded text, idempotency, cancellation, reassignment."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import select

from crm_core.db.models import Activity, Lead, Outbox, User
from crm_core.nurture import templates as tpl
from crm_core.nurture.sequence import cancel_pending, move_pending, start_sequence
from crm_core.settings import Settings
from tests.nurture.conftest import AMIT, NEHA, Team, local, start

DONE = local(2026, 11, 24, 17, 30)


def _activities(team: Team, kind: str) -> list[Activity]:
    with team.db.transaction() as s:
        return list(s.scalars(select(Activity).where(Activity.kind == kind).order_by(Activity.id)))


def test_demo_done_schedules_one_reminder_per_active_step(team: Team, quiet_settings: Settings) -> None:
    assert start(team, quiet_settings, DONE) == 3
    rows = team.reminders()
    assert [r.due_at for r in rows] == [
        local(2026, 11, 25, 10, 0).astimezone(UTC),
        local(2026, 11, 27, 11, 0).astimezone(UTC),
        local(2026, 12, 1, 10, 30).astimezone(UTC),
    ]
    amit = team.user("amit")
    for r in rows:
        assert (r.recipient, r.recipient_user_id, r.channel, r.kind) == (AMIT, amit.id, "whatsapp", "reminder")
        assert r.urgent is False and r.status == "pending" and r.lead_id == team.lead.id  # type: ignore[union-attr]
        assert r.event_id == team.demo_id and r.template_id is not None
        assert r.dedupe_key == f"nurture:{team.lead.id}:{team.demo_id}:{r.template_id}"  # type: ignore[union-attr]
    first = rows[0]
    header, fill = first.body.split("\n")
    assert header == (
        "Follow-up 1/3 for *Sharma Traders* — Rakesh Sharma, +91 98765 43210. "
        "Forward the next message with its attachment to them."
    )
    assert fill.startswith("⚠️ Fill in [your company] first")  # the default texts invent nothing
    assert first.attachment_url is None  # the file goes with the text to forward
    assert rows[1].body.startswith("Follow-up 2/3 for *Sharma Traders*") and rows[1].attachment_url is None
    # The text to forward: its own row, right after its header, holding exactly the step's text and its file.
    forwards = team.forwards()
    assert [f.due_at for f in forwards] == [r.due_at for r in rows]
    assert all(
        f.id == r.id + 1 and f.recipient == AMIT and f.urgent is False for f, r in zip(forwards, rows, strict=True)
    )
    with team.db.transaction() as s:
        steps = tpl.list_steps(s, "post_demo")
        expected = [
            tpl.render(t.text, contact_name="Rakesh Sharma", company="Sharma Traders", assignee="Amit Kumar")
            for t in steps
        ]
    assert [f.body for f in forwards] == expected
    text = forwards[0].body.split("\n")
    assert text[0] == "Namaste Rakesh Sharma ji," and text[-2:] == ["Amit Kumar", "[your company]"]
    assert "{" not in forwards[0].body and "Follow-up" not in forwards[0].body
    assert (forwards[0].attachment_filename, forwards[0].attachment_mime) == ("Product-Brochure.pdf", "application/pdf")
    assert forwards[0].attachment_url and forwards[0].attachment_url.startswith("https://")
    assert forwards[1].attachment_url is None
    [activity] = _activities(team, "reminder_scheduled")
    assert activity.lead_id == team.lead.id and activity.actor_id == amit.id  # type: ignore[union-attr]
    assert "25 Nov 10:00 AM" in activity.text and "1 Dec 10:30 AM" in activity.text
    assert activity.data and activity.data["outbox_ids"] == [r.id for r in rows]


def test_demo_done_twice_schedules_one_sequence(team: Team, quiet_settings: Settings) -> None:
    assert start(team, quiet_settings, DONE) == 3
    assert start(team, quiet_settings, DONE.replace(minute=45)) == 0
    assert len(team.reminders()) == 3
    assert len(_activities(team, "reminder_scheduled")) == 1


def test_a_step_added_later_is_filled_in_without_duplicating_the_others(team: Team, quiet_settings: Settings) -> None:
    start(team, quiet_settings, DONE)
    with team.db.transaction() as s:
        tpl.create_step(s, {"day": 14, "text": "Any update, {contact_name}?"}, DONE)
    assert start(team, quiet_settings, DONE) == 1
    assert len(team.reminders()) == 4


def test_only_active_steps_count_and_number(team: Team, quiet_settings: Settings) -> None:
    with team.db.transaction() as s:
        second = tpl.list_steps(s, "post_demo")[1]
        tpl.set_active(s, second.id, False, DONE)
    assert start(team, quiet_settings, DONE) == 2
    rows = team.reminders()
    assert [r.body.split(" for ")[0] for r in rows] == ["Follow-up 1/2", "Follow-up 2/2"]


def test_a_same_day_step_already_past_is_due_at_once(team: Team, quiet_settings: Settings) -> None:
    with team.db.transaction() as s:
        tpl.create_step(s, {"day": 0, "time": "09:00", "text": "Thanks for today, {contact_name}!"}, DONE)
    start(team, quiet_settings, DONE)
    first = team.reminders()[0]
    assert first.due_at == DONE.astimezone(UTC) and first.body.startswith("Follow-up 1/4")


def test_a_step_inside_quiet_hours_is_due_when_they_end(team: Team, quiet_settings: Settings) -> None:
    with team.db.transaction() as s:
        tpl.create_step(s, {"day": 2, "time": "07:00", "text": "Early bird for {company}"}, DONE)
        tpl.create_step(s, {"day": 2, "time": "22:30", "text": "Night owl for {company}"}, DONE)
    start(team, quiet_settings, DONE)
    dues = {r.body: r.due_at for r in team.forwards()}
    assert [r.due_at for r in team.reminders()] == [r.due_at for r in team.forwards()]
    assert dues["Early bird for Sharma Traders"] == local(2026, 11, 26, 9, 0).astimezone(UTC)
    assert dues["Night owl for Sharma Traders"] == local(2026, 11, 27, 9, 0).astimezone(UTC)


def test_closed_leads_get_no_sequence(team: Team, quiet_settings: Settings) -> None:
    with team.db.transaction() as s:
        lead = s.get(Lead, team.lead.id)  # type: ignore[union-attr]
        assert lead is not None
        lead.status = "won"
    assert start(team, quiet_settings, DONE) == 0 and team.reminders() == []


def test_an_empty_master_means_nurture_is_off(team: Team, quiet_settings: Settings) -> None:
    """Deleting every step used to be undone by the next demo done, which re-created the default steps."""
    with team.db.transaction() as s:
        for row in tpl.list_steps(s):
            tpl.delete_step(s, row.id, DONE)
    assert start(team, quiet_settings, DONE) == 0 and team.reminders() == []
    with team.db.transaction() as s:
        assert tpl.list_steps(s) == []


def _team_step(team: Team, leader: str | None, text: str, *, active: bool = True) -> int:
    with team.db.transaction() as s:
        owner = team.user(leader).id if leader else None
        row = tpl.create_step(s, {"day": 2, "text": text, "active": active}, DONE, team_leader_id=owner)
        return row.id


def test_the_owners_team_sequence_replaces_the_organisations(team: Team, quiet_settings: Settings) -> None:
    _team_step(team, "priya", "Priya's team says hi to {contact_name}")
    assert start(team, quiet_settings, DONE) == 1  # Amit is in Priya's team: her one step, not the org's three
    [reminder] = team.reminders()
    assert reminder.data is not None and reminder.data["team_leader_id"] == team.user("priya").id
    assert [f.body for f in team.forwards()] == ["Priya's team says hi to Rakesh Sharma"]
    assert "Fill in" not in reminder.body  # no [placeholder] left in the team's own text


def test_a_team_that_disabled_its_steps_sends_nothing(team: Team, quiet_settings: Settings) -> None:
    _team_step(team, "priya", "paused", active=False)
    assert start(team, quiet_settings, DONE) == 0


def test_another_teams_sequence_is_never_used(team: Team, quiet_settings: Settings) -> None:
    from crm_core.accounts import NewUser, create_user

    with team.db.transaction() as s:
        team.users["vikram"] = create_user(s, NewUser("vikram", "Vikram", "+919800000020", role="leader"))
    _team_step(team, "vikram", "Vikram's team only")
    assert start(team, quiet_settings, DONE) == 3  # Amit's team (Priya's) has none: the organisation's
    assert all("Vikram" not in r.body for r in team.reminders() + team.forwards())


def test_deleting_a_step_cancels_only_the_follow_ups_in_scope(team: Team, quiet_settings: Settings) -> None:
    from crm_core.db.models import Outbox

    start(team, quiet_settings, DONE)
    first = team.reminders()[0]
    with team.db.transaction() as s:
        nobody = Outbox.recipient_user_id == team.user("neha").id  # e.g. another team's: Amit's are not in it
        assert tpl.delete_step(s, first.template_id, DONE, follow_ups=nobody) == 0  # type: ignore[arg-type]
    assert [r.status for r in team.reminders()] == ["pending", "pending", "pending"]
    assert team.reminders()[0].template_id is None  # the step is gone; its reminder keeps its text


def test_won_or_lost_cancels_pending_reminders_only(team: Team, quiet_settings: Settings) -> None:
    start(team, quiet_settings, DONE)
    with team.db.transaction() as s:
        first = list(s.scalars(select(Outbox).order_by(Outbox.due_at, Outbox.id).limit(2)))  # header, text
        assert [r.kind for r in first] == ["reminder", "forward"]
        for row in first:
            row.status = "sent"
    later = local(2026, 11, 26, 12, 0)
    with team.db.transaction() as s:
        lead = s.get(Lead, team.lead.id)  # type: ignore[union-attr]
        assert cancel_pending(s, lead=lead, actor_id=team.user("priya").id, now=later, reason="lead won") == 2
        assert cancel_pending(s, lead=lead, actor_id=team.user("priya").id, now=later, reason="lead won") == 0
    statuses = [r.status for r in team.reminders()]
    assert statuses == ["sent", "cancelled", "cancelled"]
    cancelled = team.reminders("cancelled")[0]
    assert cancelled.data and cancelled.data["cancelled_at"] == later.isoformat()
    [activity] = _activities(team, "reminder_cancelled")
    assert "lead won" in activity.text and activity.created_at == later.astimezone(UTC)


def test_reassignment_moves_pending_reminders_to_the_new_owner(team: Team, quiet_settings: Settings) -> None:
    start(team, quiet_settings, DONE)
    with team.db.transaction() as s:
        first = list(s.scalars(select(Outbox).order_by(Outbox.due_at, Outbox.id).limit(2)))  # header, text
        assert [r.kind for r in first] == ["reminder", "forward"]
        for row in first:
            row.status = "sent"
    later = local(2026, 11, 26, 12, 0)
    with team.db.transaction() as s:
        lead = s.get(Lead, team.lead.id)  # type: ignore[union-attr]
        neha = s.get(User, team.user("neha").id)
        assert lead is not None and neha is not None
        assert move_pending(s, lead=lead, new_owner=neha, actor_id=team.user("priya").id, now=later) == 2
        assert move_pending(s, lead=lead, new_owner=neha, actor_id=team.user("priya").id, now=later) == 0
    sent, *moved = team.reminders()
    sent_text, *moved_texts = team.forwards()
    assert sent.recipient == AMIT and "Amit Kumar\n" in sent_text.body and sent_text.recipient == AMIT
    for r in moved:
        assert r.recipient == NEHA and r.recipient_user_id == team.user("neha").id
        assert r.body.startswith("Follow-up ") and "Amit" not in r.body
    for r in moved_texts:
        assert r.recipient == NEHA and "Neha Singh\n" in r.body and "Amit" not in r.body
    [activity] = _activities(team, "reminder_moved")
    assert "Neha Singh" in activity.text


def test_a_newer_demo_replaces_the_pending_reminders_of_the_older_one(team: Team, quiet_settings: Settings) -> None:
    start(team, quiet_settings, DONE)
    with team.db.transaction() as s:
        first = list(s.scalars(select(Outbox).order_by(Outbox.due_at, Outbox.id).limit(2)))  # header, text
        assert [r.kind for r in first] == ["reminder", "forward"]
        for row in first:
            row.status = "sent"
    assert start(team, quiet_settings, local(2026, 11, 28, 15, 0), demo_event_id=None) == 3
    assert len(team.reminders("cancelled")) == 2 and len(team.reminders("sent")) == 1
    assert len(team.reminders("pending")) == 3
    [activity] = _activities(team, "reminder_cancelled")
    assert "newer demo" in activity.text


def test_start_sequence_signature_matches_the_events_handler(team: Team, quiet_settings: Settings) -> None:
    with team.db.transaction() as s:
        lead = s.get(Lead, team.lead.id)  # type: ignore[union-attr]
        amit = s.get(User, team.user("amit").id)
        n = start_sequence(
            s,
            lead=lead,
            assignee=amit,
            actor_id=None,
            demo_event_id=None,
            now=DONE,  # type: ignore[arg-type]
            settings=quiet_settings,
        )
    assert n == 3


def test_a_newer_demo_leaves_other_reminders_of_the_lead_alone(team: Team, quiet_settings: Settings) -> None:
    from crm_core.outbox import record

    start(team, quiet_settings, DONE)
    with team.db.transaction() as s:
        amit = s.get(User, team.user("amit").id)
        assert amit is not None
        record(
            s,
            to=amit,
            body="Call Rakesh about the GST module",
            kind="reminder",
            urgent=False,
            due_at=local(2026, 11, 30, 10, 0),
            lead_id=team.lead.id,
            dedupe_key="remind:manual:1",
        )  # type: ignore[union-attr]
    start(team, quiet_settings, local(2026, 11, 28, 15, 0), demo_event_id=None)
    manual = [r for r in team.reminders() if r.dedupe_key == "remind:manual:1"]
    assert [r.status for r in manual] == ["pending"]
