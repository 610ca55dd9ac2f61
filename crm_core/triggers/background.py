"""The queue trigger (inbound messages), its poison queue, and the timer that sweeps the outbox."""

from __future__ import annotations

import azure.functions as func

bp = func.Blueprint()


@bp.queue_trigger(arg_name="msg", queue_name="%INBOUND_QUEUE%", connection="AzureWebJobsStorage")
def process_inbound(msg: func.QueueMessage) -> None:
    """Parse and apply one inbound message; raising makes the host retry, then poison it."""
    from crm_core.pipeline.process import process_queue_message

    process_queue_message(msg.get_body().decode("utf-8"), dequeue_count=msg.dequeue_count or 1)


@bp.queue_trigger(arg_name="msg", queue_name="%INBOUND_QUEUE%-poison", connection="AzureWebJobsStorage")
def process_poison(msg: func.QueueMessage) -> None:
    """Record a message that failed every retry and tell its sender once."""
    from crm_core.pipeline.process import process_poison_message

    process_poison_message(msg.get_body().decode("utf-8"))


@bp.timer_trigger(arg_name="timer", schedule="%SWEEP_SCHEDULE%", run_on_startup=False, use_monitor=False)
def sweep(timer: func.TimerRequest) -> None:
    """Send what is due from the outbox (replies to retry, nurture reminders, digests)."""
    from crm_core.delivery.sweep import run_scheduled_sweep

    run_scheduled_sweep(past_due=timer.past_due)
