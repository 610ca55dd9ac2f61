"""Demo done, reassign and won with the real nurture module and its default post-demo sequence."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from crm_core.clock import FixedClock
from crm_core.db.models import Outbox
from crm_core.db.session import Database
from crm_core.settings import Settings
from tests.workflows.conftest import cmd, make_bot

pytest.importorskip("crm_core.nurture.sequence")


def test_follow_ups_start_move_and_cancel(db: Database, clock: FixedClock, settings: Settings) -> None:
    from crm_core.nurture.templates import ensure_default_sequence

    bot = make_bot(db, clock, settings)
    with db.transaction() as s:
        ensure_default_sequence(s)  # an admin set up Message Master (nothing is seeded behind their back)
    lead = bot.new_lead("priya", "Acme", contact_name="Rohit", phone="+919876501234")
    bot.say("priya", "x", cmd("demo_done", company="Acme", note="liked it"))
    assert bot.lead("Acme").status == "demo_done" and "Follow-up messages" in bot.last("priya")
    bot.say("priya", "x", cmd("demo_done", company="Acme"))  # twice: no second sequence

    def reminders() -> list[Outbox]:
        with db.transaction() as s:
            stmt = select(Outbox).where(Outbox.kind == "reminder", Outbox.lead_id == lead.id)
            return list(s.scalars(stmt))

    pending = [r for r in reminders() if r.status == "pending"]
    assert pending and all(r.recipient_user_id == bot.user("priya").id for r in pending)
    assert len({r.dedupe_key for r in pending}) == len(pending)
    bot.say("lata", "x", cmd("reassign_lead", company="Acme", assignee="amit"))
    pending = [r for r in reminders() if r.status == "pending"]
    assert pending and all(r.recipient_user_id == bot.user("amit").id for r in pending)
    clock.advance(timedelta(hours=1))
    bot.say("amit", "x", cmd("mark_won", company="Acme"))
    assert [r for r in reminders() if r.status == "pending"] == []
    assert "pending follow-up(s) cancelled" in bot.last("amit")


def test_no_steps_means_no_follow_ups(db: Database, clock: FixedClock, settings: Settings) -> None:
    """An admin who deleted every step switched nurture off: a demo done must not re-create the defaults."""
    from crm_core.db.models import MessageTemplate
    from crm_core.nurture.templates import ensure_default_sequence

    bot = make_bot(db, clock, settings)
    with db.transaction() as s:
        ensure_default_sequence(s)
        for step in s.scalars(select(MessageTemplate)):
            s.delete(step)
    bot.new_lead("priya", "Acme")
    bot.say("priya", "x", cmd("demo_done", company="Acme"))
    assert bot.lead("Acme").status == "demo_done" and "Follow-up" not in bot.last("priya")
    with db.transaction() as s:
        assert list(s.scalars(select(MessageTemplate))) == []
        assert list(s.scalars(select(Outbox).where(Outbox.kind == "reminder"))) == []
