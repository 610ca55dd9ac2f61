"""The queue function on SQLite: idempotent, ordered per sender, failures retried or answered, poison apologised."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import OperationalError

import crm_core.pipeline.process as process
from crm_core.commands import Command, Intent, ParseResult
from crm_core.composition import Container, set_container
from crm_core.db.models import InboundMessage, Lead, LlmCall, Outbox
from crm_core.errors import PermanentError, TransientError
from crm_core.pipeline.process import process_poison_message, process_queue_message
from tests.delivery.helpers import add_user
from tests.pipeline.support import PHONE, FakeQueue, FakeRespond, count, envelope, inbound, replies, seconds


@pytest.fixture
def respond(monkeypatch) -> FakeRespond:
    fake = FakeRespond()
    monkeypatch.setattr(process, "_respond", fake)
    return fake


@pytest.fixture
def queue() -> FakeQueue:
    return FakeQueue()


@pytest.fixture
def wired(settings, db, clock, fake_channel, queue) -> Container:
    c = Container(settings, database=db, clock=clock, whatsapp=fake_channel, queue=queue, parser=object())  # type: ignore[arg-type]
    set_container(c)
    return c


@pytest.fixture
def ravi(db):
    return add_user(db)


def test_message_is_applied_recorded_and_replied(wired, db, clock, fake_channel, respond, ravi):
    process_queue_message(envelope("New lead: Sharma Traders", "m1", clock.now()))
    (row,) = inbound(db)
    assert (row.status, row.intent, row.sender_user_id) == ("done", "new_lead", ravi.id)
    assert row.lead_id is not None and row.processed_at == clock.now()
    assert fake_channel.sent[PHONE] == ["Lead created: Sharma Traders"]
    (out,) = replies(db)
    assert (out.status, out.inbound_id, out.channel) == ("sent", row.id, "whatsapp")


def test_redelivery_has_the_effect_of_one(wired, db, clock, fake_channel, respond, ravi):
    body = envelope("New lead: Sharma Traders", "m1", clock.now())
    for attempt in range(1, 4):
        process_queue_message(body, dequeue_count=attempt)
    assert count(db, Lead) == 1
    assert fake_channel.sent[PHONE] == ["Lead created: Sharma Traders"]
    assert respond.calls == ["New lead: Sharma Traders"]


def test_crash_between_commit_and_ack_delivers_once_on_retry(
    wired, db, clock, fake_channel, respond, ravi, monkeypatch
):
    body = envelope("New lead: Sharma Traders", "m1", clock.now())

    def crash(container, *rows):
        raise SystemExit("worker killed after commit")

    monkeypatch.setattr(process, "_deliver", crash)
    with pytest.raises(SystemExit):
        process_queue_message(body)
    assert fake_channel.messages == []
    assert count(db, Lead) == 1
    monkeypatch.undo()
    monkeypatch.setattr(process, "_respond", respond)
    process_queue_message(body, dequeue_count=2)  # at once: the reply is still claimed by the dead worker's lease
    assert fake_channel.messages == []
    clock.advance(timedelta(minutes=10))  # the queue redelivers a crashed worker's message after minutes
    process_queue_message(body, dequeue_count=3)  # the queue redelivers: no second effect, the reply goes out
    assert count(db, Lead) == 1
    assert respond.calls == ["New lead: Sharma Traders"]
    assert fake_channel.sent[PHONE] == ["Lead created: Sharma Traders"]
    process_queue_message(body, dequeue_count=4)
    assert len(fake_channel.messages) == 1


def test_reversed_delivery_is_applied_in_order(settings, db, clock, fake_channel, queue, respond, ravi):
    settings = settings.model_copy(update={"ordering_window_seconds": 2.0})
    set_container(Container(settings, database=db, clock=clock, whatsapp=fake_channel, queue=queue, parser=object()))  # type: ignore[arg-type]
    t0 = clock.now()
    first = envelope("New lead: Sharma Traders", "m1", t0)
    second = envelope("Lead qualified for Sharma Traders", "m2", t0 + seconds(1))
    clock.set(t0 + seconds(1.2))
    process_queue_message(second)  # arrives first, too young: deferred
    assert respond.calls == []
    assert [delay for _, delay in queue.sent] == [2]
    clock.set(t0 + seconds(1.5))
    process_queue_message(first)  # still young: deferred as well
    assert respond.calls == []
    clock.set(t0 + seconds(4))
    process_queue_message(queue.sent[0][0])  # the re-enqueued "second" comes back first again
    assert respond.calls == ["New lead: Sharma Traders", "Lead qualified for Sharma Traders"]
    process_queue_message(queue.sent[1][0])  # the re-enqueued "first": already applied
    assert len(respond.calls) == 2
    assert fake_channel.sent[PHONE] == ["Lead created: Sharma Traders", "Sharma Traders is qualified ✅"]
    with db.sessions() as session:
        assert session.query(Lead).one().status == "qualified"


def test_without_ordering_the_reversed_pair_would_fail(wired, db, clock, fake_channel, respond, ravi):
    # The window is 0 in the test settings: this shows what the ordering above prevents.
    t0 = clock.now()
    process_queue_message(envelope("Lead qualified for Sharma Traders", "m2", t0 + seconds(1)))
    process_queue_message(envelope("New lead: Sharma Traders", "m1", t0))
    assert fake_channel.sent[PHONE][0] == "I couldn't find a lead called Sharma Traders."


def test_one_worker_applies_the_older_pending_message_first(wired, db, clock, fake_channel, respond, ravi):
    t0 = clock.now()
    # "first" was recorded by a worker that died before applying it.
    process.record_inbound(wired, process.Envelope.from_json(envelope("New lead: Sharma Traders", "m1", t0)))
    process_queue_message(envelope("Lead qualified for Sharma Traders", "m2", t0 + seconds(1)))
    assert respond.calls == ["New lead: Sharma Traders", "Lead qualified for Sharma Traders"]
    assert [r.status for r in inbound(db)] == ["done", "done"]


def test_broken_older_message_does_not_block_later_ones(wired, db, clock, fake_channel, respond, ravi, monkeypatch):
    t0 = clock.now()
    process.record_inbound(wired, process.Envelope.from_json(envelope("boom", "m1", t0)))
    real = respond.__call__

    def flaky(ctx, text, parser):
        if text == "boom":
            raise KeyError("a bug")
        return real(ctx, text, parser)

    monkeypatch.setattr(process, "_respond", flaky)
    process_queue_message(envelope("New lead: Sharma Traders", "m2", t0 + seconds(1)))
    assert [r.status for r in inbound(db)] == ["received", "done"]
    assert count(db, Lead) == 1


def test_unregistered_sender_gets_one_polite_reply(wired, db, clock, fake_channel, respond):
    body = envelope("New lead: Sharma Traders", "m1", clock.now(), sender="+919811122334")
    process_queue_message(body)
    process_queue_message(body, dequeue_count=2)
    assert respond.calls == []
    assert count(db, Lead) == 0
    assert len(fake_channel.sent["+919811122334"]) == 1
    assert "not registered" in fake_channel.sent["+919811122334"][0]
    assert inbound(db)[0].intent == "unregistered"


def test_inactive_user_is_treated_as_unregistered(wired, db, clock, fake_channel, respond, ravi):
    from sqlalchemy import update

    from crm_core.db.models import User

    with db.transaction() as session:
        session.execute(update(User).values(active=False))
    process_queue_message(envelope("New lead: X", "m1", clock.now()))
    assert respond.calls == []
    assert "not registered" in fake_channel.sent[PHONE][0]


def test_voice_note_gets_please_type_it(wired, db, clock, fake_channel, respond, ravi):
    body = envelope("", "m1", clock.now(), kind="unsupported", media_type="ptt")
    process_queue_message(body)
    process_queue_message(body)
    assert respond.calls == []
    assert len(fake_channel.sent[PHONE]) == 1
    assert "type it" in fake_channel.sent[PHONE][0]
    assert inbound(db)[0].intent == "unsupported"


def test_voice_note_reply_follows_the_users_language(wired, db, clock, fake_channel, respond, ravi):
    process_queue_message(envelope("नया लीड", "m0", clock.now()))
    process_queue_message(envelope("", "m1", clock.now() + seconds(1), kind="unsupported", media_type="ptt"))
    assert "टाइप" in fake_channel.sent[PHONE][-1]


def test_too_long_text_is_answered(wired, db, clock, fake_channel, respond, ravi):
    process_queue_message(envelope("", "m1", clock.now(), kind="too_long"))
    assert "too long" in fake_channel.sent[PHONE][0]


def test_transient_failure_raises_and_changes_nothing(wired, db, clock, fake_channel, respond, ravi):
    respond.raise_with = TransientError("GPT 429")
    body = envelope("New lead: Sharma Traders", "m1", clock.now())
    with pytest.raises(TransientError):
        process_queue_message(body)
    assert count(db, Lead) == 0 and count(db, Outbox) == 0
    assert inbound(db)[0].status == "received"
    respond.raise_with = None
    process_queue_message(body, dequeue_count=2)
    assert count(db, Lead) == 1
    assert inbound(db)[0].attempts == 2


def test_transient_database_error_raises(wired, db, clock, fake_channel, respond, ravi):
    respond.raise_with = OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))
    with pytest.raises(OperationalError):
        process_queue_message(envelope("New lead: Sharma Traders", "m1", clock.now()))
    assert count(db, Lead) == 0


def test_permanent_failure_is_answered_not_retried(wired, db, clock, fake_channel, respond, ravi):
    process_queue_message(envelope("Lead qualified for Nobody", "m1", clock.now()))  # does not raise
    (row,) = inbound(db)
    assert row.status == "failed"
    assert fake_channel.sent[PHONE] == ["I couldn't find a lead called Nobody."]


def test_permanent_failure_rolls_back_the_handlers_partial_changes(
    wired, db, clock, fake_channel, respond, ravi, monkeypatch
):
    real = respond.__call__

    def half_done(ctx, text, parser):
        real(ctx, "New lead: Half", parser)
        raise PermanentError("You don't have permission to do that.")

    monkeypatch.setattr(process, "_respond", half_done)
    process_queue_message(envelope("anything", "m1", clock.now()))
    assert count(db, Lead) == 0
    assert fake_channel.sent[PHONE] == ["You don't have permission to do that."]


def test_gpt_parse_records_an_llm_call(wired, db, clock, fake_channel, respond, ravi):
    respond.parse = ParseResult(
        command=Command(intent=Intent.NEW_LEAD, company="X"),
        confidence=0.9,
        source="gpt",
        tokens_used=150,
        prompt_tokens=120,
        completion_tokens=30,
    )
    process_queue_message(envelope("New lead: X", "m1", clock.now()))
    with db.sessions() as session:
        call = session.query(LlmCall).one()
    assert (call.prompt_tokens, call.completion_tokens, call.model) == (120, 30, "gpt-4o")
    assert call.inbound_id == inbound(db)[0].id
    assert inbound(db)[0].result["source"] == "gpt"


def test_rules_parse_records_no_llm_call(wired, db, clock, fake_channel, respond, ravi):
    respond.parse = ParseResult(command=Command(intent=Intent.NEW_LEAD, company="X"), confidence=0.95)
    process_queue_message(envelope("New lead: X", "m1", clock.now()))
    assert count(db, LlmCall) == 0


def test_language_and_channel_reach_the_handler(wired, db, clock, fake_channel, respond, ravi, monkeypatch):
    seen = []

    def spy(ctx, text, parser):
        seen.append((ctx.lang, ctx.reply_channel, ctx.inbound_id, ctx.sender.id))
        ctx.reply("ok")
        return type("O", (), {"intent": "note", "lead_id": None, "parse": None})()

    monkeypatch.setattr(process, "_respond", spy)
    process_queue_message(envelope("शर्मा ट्रेडर्स नया लीड", "m1", clock.now()))
    process_queue_message(envelope("hello", "a1", clock.now() + seconds(1), provider="app"))
    rows = inbound(db)
    assert seen == [("hi", "whatsapp", rows[0].id, ravi.id), ("en", "app", rows[1].id, ravi.id)]
    app_reply = replies(db)[-1]
    assert (app_reply.channel, app_reply.recipient, app_reply.status) == ("app", str(ravi.id), "sent")
    assert fake_channel.sent[PHONE] == ["ok"]  # the app reply is not sent on WhatsApp


def test_failed_post_commit_delivery_is_left_to_the_sweep(wired, db, clock, fake_channel, respond, ravi):
    from crm_core.delivery.outbox_delivery import run_sweep
    from crm_core.ports import SendError

    fake_channel.fail_with = SendError("HTTP 500", permanent=False)
    process_queue_message(envelope("New lead: Sharma Traders", "m1", clock.now()))  # does not raise
    assert replies(db)[0].status == "pending"
    fake_channel.fail_with = None
    clock.advance(timedelta(minutes=1))
    run_sweep(wired)
    assert fake_channel.sent[PHONE] == ["Lead created: Sharma Traders"]


def test_message_failing_every_retry_goes_to_poison_with_one_apology(wired, db, clock, fake_channel, respond, ravi):
    respond.raise_with = TransientError("database paused")
    body = envelope("New lead: Sharma Traders", "m1", clock.now())
    for attempt in range(1, 6):  # maxDequeueCount = 5
        with pytest.raises(TransientError):
            process_queue_message(body, dequeue_count=attempt)
    process_poison_message(body)
    process_poison_message(body)  # the poison queue redelivers too
    (row,) = inbound(db)
    assert (row.status, row.attempts) == ("poison", 5)
    (apology,) = fake_channel.sent[PHONE]
    assert "could not process" in apology and "Sharma Traders" in apology
    (out,) = replies(db)
    assert (out.kind, out.dedupe_key) == ("apology", f"apology:{row.id}")  # one per (provider, sender, id)
    assert count(db, Lead) == 0


def test_poison_after_a_late_success_does_nothing(wired, db, clock, fake_channel, respond, ravi):
    body = envelope("New lead: Sharma Traders", "m1", clock.now())
    process_queue_message(body)
    process_poison_message(body)
    assert inbound(db)[0].status == "done"
    assert fake_channel.sent[PHONE] == ["Lead created: Sharma Traders"]


def test_poison_of_a_message_never_recorded_still_apologises(wired, db, clock, fake_channel, respond):
    process_poison_message(envelope("hello", "m9", clock.now(), sender="+919811122334"))
    assert len(fake_channel.sent["+919811122334"]) == 1
    assert inbound(db)[0].status == "poison"


def test_not_an_envelope_is_dropped_without_retry(wired, db, respond):
    process_queue_message("{not json")
    process_queue_message('{"provider": "maytapi"}')
    process_poison_message("garbage")
    assert count(db, InboundMessage) == 0


def test_gpt_consulted_but_rules_kept_is_still_costed(wired, db, clock, fake_channel, respond, ravi):
    respond.parse = ParseResult(
        command=Command(intent=Intent.NEW_LEAD, company="X"), confidence=0.6, source="rules", tokens_used=90
    )
    process_queue_message(envelope("New lead: X", "m1", clock.now()))
    with db.sessions() as session:
        call = session.query(LlmCall).one()
    assert (call.prompt_tokens, call.outcome) == (90, "not_used")


def test_replies_written_while_maytapi_is_down_go_out_once_after_it_recovers(settings, db, clock, queue, respond, ravi):
    from crm_core.delivery.channels import MaytapiChannel
    from crm_core.delivery.outbox_delivery import run_sweep
    from tests.fakes.maytapi_server import MaytapiFake

    with MaytapiFake() as fake:
        channel = MaytapiChannel(fake.send_url, fake.token, timeout_seconds=5)
        c = Container(settings, database=db, clock=clock, whatsapp=channel, queue=queue, parser=object())  # type: ignore[arg-type]
        set_container(c)
        fake.fail(7, status=500)
        for i, company in enumerate(["Alpha", "Beta", "Gamma"]):
            process_queue_message(envelope(f"New lead: {company}", f"m{i}", clock.now() + seconds(i)))
        assert fake.received == []  # every post-commit send failed; nothing was lost
        for _ in range(20):
            if all(r.status == "sent" for r in replies(db)):
                break
            clock.advance(timedelta(minutes=5))
            run_sweep(c)
        assert sorted(fake.texts_to(PHONE)) == ["Lead created: Alpha", "Lead created: Beta", "Lead created: Gamma"]
        assert all(r.status == "sent" for r in replies(db))


def test_reply_born_claimed_is_left_alone_by_the_sweep_until_its_lease_runs_out(
    wired, db, clock, fake_channel, respond, ravi, monkeypatch
):
    from crm_core.delivery.outbox_delivery import run_sweep

    def crash(container, *rows):
        raise SystemExit("worker killed after commit")

    monkeypatch.setattr(process, "_deliver", crash)
    with pytest.raises(SystemExit):
        process_queue_message(envelope("New lead: Sharma Traders", "m1", clock.now()))
    (row,) = replies(db)
    assert (row.status, row.claim_token is not None) == ("sending", True)
    assert run_sweep(wired).sent == 0  # the lease still holds: the (dead) worker might be sending it
    assert fake_channel.messages == []
    clock.advance(timedelta(minutes=5))
    assert run_sweep(wired).sent == 1
    assert run_sweep(wired).sent == 0
    assert fake_channel.sent[PHONE] == ["Lead created: Sharma Traders"]
