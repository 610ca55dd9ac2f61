"""Reminders show in the lead's history (scheduled, sent, cancelled) and in the assignee's tasks."""

from __future__ import annotations

from crm_core.api.history import collect
from crm_core.composition import Container
from crm_core.db.models import Lead
from crm_core.delivery.outbox_delivery import run_sweep
from crm_core.nurture.sequence import cancel_pending
from tests.nurture.conftest import Team, local, start


def test_history_shows_scheduled_sent_and_cancelled_reminders(nurture_container: Container, team: Team) -> None:
    start(team, nurture_container.settings, local(2026, 11, 24, 17, 30))
    run_sweep(nurture_container, now=local(2026, 11, 25, 10, 1))
    with team.db.transaction() as s:
        lead = s.get(Lead, team.lead.id)  # type: ignore[union-attr]
        assert lead is not None
        cancel_pending(s, lead=lead, actor_id=None, now=local(2026, 11, 26, 9, 30), reason="lead lost")
    with team.db.transaction() as s:
        lead = s.get(Lead, team.lead.id)  # type: ignore[union-attr]
        assert lead is not None
        kinds = sorted((r.kind, r.subkind) for r in collect(s, lead) if r.kind != "lead_created")
    assert kinds.count(("reminder_scheduled", None)) == 3  # one per outbox row
    assert kinds.count(("reminder_sent", None)) == 1 and kinds.count(("reminder_cancelled", None)) == 2
    assert ("activity", "reminder_scheduled") in kinds and ("activity", "reminder_cancelled") in kinds


def test_pending_reminders_are_follow_up_tasks_of_whoever_owns_the_lead(
    nurture_container: Container, team: Team
) -> None:
    from crm_core.db.models import User
    from crm_core.nurture.sequence import move_pending
    from tests.api.client import ApiClient
    from tests.api.tokens import token_for

    start(team, nurture_container.settings, local(2026, 11, 24, 17, 30))

    def follow_ups(username: str) -> list[str]:
        token = token_for(nurture_container, team.user(username).id)
        resp = ApiClient().get(f"/api/tasks/{username}?from=2026-11-24&to=2026-12-05", token=token)
        assert resp.status == 200, resp.body
        return [i["text"].split(" for ")[0] for i in resp.json["items"] if i["type"] == "follow_up"]

    assert follow_ups("amit") == ["Follow-up 1/3", "Follow-up 2/3", "Follow-up 3/3"]
    with team.db.transaction() as s:
        lead = s.get(Lead, team.lead.id)  # type: ignore[union-attr]
        neha = s.get(User, team.user("neha").id)
        assert lead is not None and neha is not None
        move_pending(s, lead=lead, new_owner=neha, actor_id=None, now=local(2026, 11, 24, 18, 0))
    assert follow_ups("amit") == [] and len(follow_ups("neha")) == 3
