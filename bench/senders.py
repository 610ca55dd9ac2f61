"""Two senders at once, a fifth of sender A's messages needing a slow model: must sender B wait for A's model?

The queue function (process_queue_message) runs in a few worker threads fed by a queue, as the Functions host runs
it; both senders write at a steady pace. Three runs per database, each on a fresh one:

- none: no message needs the model (the baseline);
- outside: a fifth of A's messages need a stand-in model that takes SENDERS_GPT_SECONDS (1.5 s), and the pipeline
  calls it with no transaction open (crm_core.pipeline.process);
- inside: the same messages, but the model is called inside the apply transaction, as the seed design did
  (respond() is handed the parser itself, so it parses under the sender's lock).

Figures: B's median latency (written → applied) in each run as a ratio of the baseline, two-sender throughput,
and the stand-in model's calls per slow message (1 means no message was paid for twice).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from queue import Empty
from typing import Any

from bench.common import (
    Run,
    Target,
    bench_settings,
    figure,
    median,
    not_measured,
    percentile,
    postgres_database,
    postgres_reason,
    sqlite_database,
)
from bench.fakes import CountingChannel, DelayQueue, StandInModel
from bench.seed import TEAM, create_team, story_companies

SECTION = "senders"
# Waiting for even one of A's model calls would make B's median 1.5 s, hundreds of times its few milliseconds.
NOT_SLOWED = Target("<=", 2.0, "≤ 2× (not waiting for A's model)")
PAID_ONCE = Target("<=", 1.0, "1 per slow message")
SENDERS = ("priya", "amit")  # A, whose every fifth message needs the model, and B
# One lead's messages; the second (index 1) is the one that needs the model when A sends it.
TEMPLATES = (
    "New lead: {company}, Ravi Kumar, {phone}, IndiaMART",
    "Add note for {company}: called them, sending the quote ({n})",
    "status of {company}?",
    "Schedule meeting with {company} on 26 Nov at 3pm",
    "Add note for {company}: sent the brochure ({n})",
)
SLOW_INDEX = 1


@dataclass
class Outcome:
    """One run: each sender's latencies (ms), the run's span, and what the stand-in model and the queue did."""

    latency_ms: dict[str, list[float]] = field(default_factory=dict)
    seconds: float = 0.0
    messages: int = 0
    slow: int = 0
    model_calls: int = 0
    deferred: int = 0
    not_done: int = 0
    errors: int = 0

    def rate(self) -> float:
        """Messages applied per second, from the first written to the last applied."""
        return self.messages / self.seconds if self.seconds else 0.0


def _scripts(n: int, companies: Iterator[str], phones: Iterator[int]) -> dict[str, list[str]]:
    """n messages per sender, a fresh lead every five."""
    out: dict[str, list[str]] = {}
    for sender in SENDERS:
        texts: list[str] = []
        while len(texts) < n:
            company, phone = next(companies), next(phones)
            for template in TEMPLATES:
                texts.append(template.format(company=company, phone=f"9{phone:09d}", n=len(texts)))
        out[sender] = texts[:n]
    return out


def _run(db: Any, run: Run, mode: str, companies: Iterator[str], phones: Iterator[int]) -> Outcome:
    """One run in `mode` ("none", "outside" or "inside") on a fresh database."""
    import crm_core.pipeline.process as process
    from crm_core.clock import SystemClock
    from crm_core.composition import Container, set_container
    from crm_core.envelope import Envelope
    from crm_core.handlers import respond
    from crm_core.parsing.hybrid import HybridParser
    from crm_core.parsing.rules import RuleParser

    sizes = run.sizes
    create_team(db)
    phone_of = {username: phone for username, _, phone, _ in TEAM}
    settings = bench_settings(str(db.engine.url.render_as_string(hide_password=False)))
    scripts = _scripts(sizes.senders_messages, companies, phones)
    a_texts = scripts[SENDERS[0]]
    slow = set() if mode == "none" else {t for i, t in enumerate(a_texts) if i % len(TEMPLATES) == SLOW_INDEX}
    rules = HybridParser(RuleParser(region=settings.default_region), None, settings.parser_confidence_threshold)
    parser = StandInModel(rules, slow, sizes.senders_gpt_seconds)
    queue = DelayQueue()
    clock = SystemClock()
    container = Container(settings, database=db, clock=clock, whatsapp=CountingChannel(), queue=queue, parser=parser)
    set_container(container)
    seam = process._respond
    if mode == "inside":  # the seed design: respond() parses, model included, inside the apply transaction
        process._respond = lambda ctx, text, _ready: respond(ctx, text, parser)
    out = Outcome(slow=len(slow))
    stop = threading.Event()
    loop = _worker(process.process_queue_message, queue, stop, out)
    workers = [threading.Thread(target=loop, daemon=True) for _ in range(max(1, sizes.senders_workers))]
    for w in workers:
        w.start()
    ids: dict[str, str] = {}
    try:
        pace = sizes.senders_pace_ms / 1000
        start = time.perf_counter()
        for k in range(sizes.senders_messages):
            for j, sender in enumerate(SENDERS):
                delay = start + k * pace + j * pace / 2 - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                message_id = f"bench-{uuid.uuid4().hex}"
                ids[message_id] = sender
                env = Envelope(
                    provider="maytapi",
                    message_id=message_id,
                    sender=phone_of[sender],
                    text=scripts[sender][k],
                    sent_at=clock.now(),
                )
                queue.send(env.to_json())
        budget = 30 + len(slow) * (sizes.senders_gpt_seconds + 3)
        _wait_done(db, list(ids), time.monotonic() + budget)
    finally:
        stop.set()
        for w in workers:
            w.join()
        queue.close()
        process._respond = seam
        set_container(None)
    out.model_calls = parser.calls
    out.deferred = queue.delayed
    _read_back(db, ids, out)
    return out


def _worker(fn: Callable[[str, int], None], queue: DelayQueue, stop: threading.Event, out: Outcome) -> Any:
    def loop() -> None:
        while not stop.is_set():
            try:
                body = queue.ready.get(timeout=0.05)
            except Empty:
                continue
            try:
                fn(body, 1)
            except Exception:  # the host would retry after the visibility timeout; the bench retries sooner
                out.errors += 1
                queue.send(body, delay_seconds=1)

    return loop


def _wait_done(db: Any, message_ids: list[str], deadline: float) -> None:
    from sqlalchemy import func, select

    from crm_core.db.models import InboundMessage

    while time.monotonic() < deadline:
        with db.sessions() as session:
            done = session.scalar(
                select(func.count())
                .select_from(InboundMessage)
                .where(InboundMessage.provider_message_id.in_(message_ids), InboundMessage.status != "received")
            )
        if done == len(message_ids):
            return
        time.sleep(0.05)


def _read_back(db: Any, ids: dict[str, str], out: Outcome) -> None:
    from sqlalchemy import select

    from crm_core.db.models import InboundMessage

    with db.sessions() as session:
        rows = session.execute(
            select(
                InboundMessage.provider_message_id,
                InboundMessage.sent_at,
                InboundMessage.processed_at,
                InboundMessage.status,
            ).where(InboundMessage.provider_message_id.in_(list(ids)))
        ).all()
    first: datetime | None = None
    last: datetime | None = None
    out.latency_ms = {sender: [] for sender in SENDERS}
    for message_id, sent_at, processed_at, status in rows:
        if status != "done" or processed_at is None:
            out.not_done += 1
            continue
        out.latency_ms[ids[message_id]].append((processed_at - sent_at).total_seconds() * 1000)
        first = sent_at if first is None or sent_at < first else first
        last = processed_at if last is None or processed_at > last else last
    out.messages = len(rows) - out.not_done
    out.not_done += len(ids) - len(rows)
    out.seconds = (last - first).total_seconds() if first and last else 0.0


def _figures(run: Run, label: str, runs: dict[str, Outcome]) -> list[Any]:
    a, b = SENDERS
    sizes = run.sizes
    none, outside, inside = runs["none"], runs["outside"], runs["inside"]
    b_none = median(none.latency_ms[b])

    def ratio(o: Outcome) -> float | None:
        return round(median(o.latency_ms[b]) / b_none, 2) if b_none else None

    def ms(o: Outcome, who: str) -> str:
        return f"median {median(o.latency_ms[who]):.0f} / p90 {percentile(o.latency_ms[who], 90):.0f} ms"

    setup = (
        f"{sizes.senders_messages} messages per sender every {sizes.senders_pace_ms:.0f} ms, {outside.slow} of A's "
        f"with a {sizes.senders_gpt_seconds:g} s model, {sizes.senders_workers} workers"
    )
    problems = sum(o.not_done + o.errors for o in runs.values())
    health = f"; {problems} not applied or retried" if problems else ""
    return [
        figure(
            SECTION,
            f"sender B latency, A's slow model calls ÷ none ({label})",
            ratio(outside),
            "×",
            NOT_SLOWED,
            f"B {ms(outside, b)} vs {ms(none, b)} without; A {ms(outside, a)}; {setup}{health}",
        ),
        figure(
            SECTION,
            f"sender B latency, model inside the transaction (seed design) ÷ none ({label})",
            ratio(inside),
            "×",
            note=f"B {ms(inside, b)}; A {ms(inside, a)}",
        ),
        figure(
            SECTION,
            f"two-sender throughput, a fifth of A's messages with a slow model ({label})",
            round(outside.rate(), 1),
            "msg/s",
            note=(
                f"{outside.messages} messages in {outside.seconds:.1f} s; model inside the transaction "
                f"{inside.rate():.1f} msg/s; no slow call {none.rate():.1f} msg/s; {outside.deferred} deferrals "
                "while a predecessor was with the model"
            ),
        ),
        figure(
            SECTION,
            f"model calls per slow message ({label})",
            round(outside.model_calls / outside.slow, 2) if outside.slow else None,
            "calls",
            PAID_ONCE,
            f"{outside.model_calls} calls for {outside.slow} messages that needed the model",
        ),
    ]


def measure(run: Run) -> None:
    """The three runs on SQLite, then on PostgreSQL when reachable."""
    companies = story_companies()
    phones = iter(range(400_000_000, 500_000_000))
    runs: dict[str, Outcome] = {}
    for mode in ("none", "outside", "inside"):
        with sqlite_database(run, f"senders-{mode}") as db:
            runs[mode] = _run(db, run, mode, companies, phones)
    run.add(*_figures(run, "SQLite", runs))

    reason = None if run.sizes.postgres else "disabled"
    reason = reason or postgres_reason()
    if reason:
        run.add(not_measured(SECTION, "sender B latency, A's slow model calls ÷ none (PostgreSQL)", reason))
        return
    for mode in ("none", "outside", "inside"):
        with postgres_database() as db:
            runs[mode] = _run(db, run, mode, companies, phones)
    run.add(*_figures(run, "PostgreSQL", runs))
