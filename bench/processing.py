"""Processing: messages/s through the queue function (built-in parser) and SQL statements per command per intent."""

from __future__ import annotations

import contextlib
import importlib
import statistics
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bench.common import (
    NOW,
    Figure,
    Run,
    StatementCounter,
    Target,
    bench_settings,
    figure,
    median,
    not_measured,
    postgres_database,
    postgres_reason,
    sqlite_database,
)
from bench.fakes import CountingChannel, ListQueue
from bench.seed import SENDER, TEAM, Team, analyze, bulk_leads, create_team, story_companies

SECTION = "processing"
PER_COMMAND = Target("<=", 8, "≤ 8 statements")
DETAILS = (
    "Address: 12 MG Road, Pune, Turnover: 3 crore, Current system: Excel, Challenges: no visibility on pending orders"
)
# One lead's life, in the corpus's phrasing; {company}, {contact} and {phone} are filled per story.
STORY: tuple[tuple[str, str], ...] = (
    ("new_lead", "New lead: {company}, {contact}, {phone}, IndiaMART, Priya"),
    ("qualify_lead", "Lead qualified for {company}"),
    ("lead_details", DETAILS),
    ("schedule_meeting", "Schedule meeting with {company} on 26 Nov at 3pm"),
    ("reschedule_meeting", "Reschedule meeting for {company} on 27 Nov 4pm"),
    ("meeting_done", "Meeting done for {company}. They were very interested."),
    ("schedule_demo", "Schedule demo for {company} on 1 Dec at 11am"),
    ("reschedule_demo", "Reschedule demo for {company} on 3 Dec 11am"),
    ("demo_done", "Demo done for {company}, they liked the reporting module"),
    ("add_activity", "Add note for {company}: sent brochure on email"),
    ("lead_info", "status of {company}?"),
    ("mark_won", "Deal closed for {company} 🎉"),
    ("reassign_lead", "Reassign {company} to Amit"),
    ("new_lead", "New lead: {other}, {contact}, {phone2}, JustDial, Priya"),
    ("mark_lost", "{other} lost - went with a competitor"),
    ("list_tasks", "my tasks today"),
    ("list_leads", "show my leads"),
    ("help", "help"),
    ("unknown", "ok thanks 👍"),
)
STEP = timedelta(seconds=20)  # the sender's pace; a story stays inside working hours


@dataclass
class Outcome:
    """What a run of stories did: per expected intent, the statements each message took; and the misreads."""

    messages: int = 0
    seconds: float = 0.0
    statements: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    control: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))  # BEGIN/SAVEPOINT among them
    ms: list[float] = field(default_factory=list)  # each message's time
    recorded: dict[str, str | None] = field(default_factory=dict)  # message id -> intent the app recorded
    expected: dict[str, str] = field(default_factory=dict)  # message id -> the story's intent
    statuses: dict[str, str | None] = field(default_factory=dict)
    stories: list[tuple[str, str]] = field(default_factory=list)  # (company, other) per story
    stories_as_expected: int = 0  # company won and with Amit, other lost

    def misreads(self) -> list[str]:
        """Messages the app recorded with another intent than the story meant."""
        return [
            f"{self.expected[m]}→{self.recorded.get(m)}"
            for m in self.expected
            if self.recorded.get(m) != self.expected[m]
        ]

    def not_done(self) -> int:
        """Messages whose inbound record is not `done`."""
        return sum(1 for m in self.expected if self.statuses.get(m) != "done")


class Driver:
    """Sends the stories through `process_queue_message`, the queue function's body, one message at a time."""

    def __init__(self, db: Any, team: Team) -> None:
        from crm_core.clock import FixedClock
        from crm_core.composition import Container, set_container

        self.db = db
        self.team = team
        self.clock = FixedClock(NOW)
        self.channel = CountingChannel()
        self.settings = bench_settings(str(db.engine.url.render_as_string(hide_password=False)))
        self.container = Container(
            self.settings, database=db, clock=self.clock, whatsapp=self.channel, queue=ListQueue()
        )
        set_container(self.container)
        self.sender_phone = next(phone for username, _, phone, _ in TEAM if username == SENDER)
        self.companies = story_companies()
        self.n = 0

    def stories(self, count: int, out: Outcome) -> Iterator[tuple[str, str]]:
        """(intent, text) for count stories, each with fresh companies."""
        for _ in range(count):
            company, other = next(self.companies), next(self.companies)
            out.stories.append((company, other))
            self.n += 1
            fill = {
                "company": company,
                "other": other,
                "contact": "Ravi Kumar",
                "phone": f"94{self.n:08d}",
                "phone2": f"95{self.n:08d}",
            }
            for intent, template in STORY:
                yield intent, template.format(**fill)

    def run(self, stories: int, *, count_statements: bool) -> Outcome:
        """Process the stories; time them, and count each message's statements when asked."""
        from crm_core.pipeline.process import process_queue_message

        out = Outcome()
        work = [(intent, text, f"bench-{uuid.uuid4().hex}") for intent, text in self.stories(stories, out)]
        counter = StatementCounter(self.db.engine)
        with counter if count_statements else contextlib.nullcontext(counter):
            for intent, text, message_id in work:
                body = self.envelope(text, message_id)
                counter.take()
                began = time.perf_counter()
                process_queue_message(body, 1)
                out.ms.append((time.perf_counter() - began) * 1000)
                if count_statements:
                    total, control = counter.take_both()
                    out.statements[intent].append(total)
                    out.control[intent].append(control)
                out.expected[message_id] = intent
        out.seconds = sum(out.ms) / 1000  # the queue function's own time, envelopes excluded
        out.messages = len(work)
        self._read_back(out)
        return out

    def envelope(self, text: str, message_id: str) -> str:
        """A queue message body for text from the sender, sent on the moving clock."""
        from crm_core.envelope import Envelope

        self.clock.advance(STEP)
        env = Envelope(
            provider="maytapi",
            message_id=message_id,
            sender=self.sender_phone,
            text=text,
            sent_at=self.clock.now(),
            sender_name="Priya Sharma",
        )
        return env.to_json()

    def _read_back(self, out: Outcome) -> None:
        """What the app recorded: each message's intent and status, and how each story's leads ended."""
        from sqlalchemy import select

        from crm_core.db.models import InboundMessage, Lead

        ids = list(out.expected)
        with self.db.transaction() as session:
            for chunk in range(0, len(ids), 500):
                rows = session.execute(
                    select(InboundMessage.provider_message_id, InboundMessage.intent, InboundMessage.status).where(
                        InboundMessage.provider_message_id.in_(ids[chunk : chunk + 500])
                    )
                ).all()
                for message_id, intent, status in rows:
                    out.recorded[message_id] = intent
                    out.statuses[message_id] = status
            names = [name for pair in out.stories for name in pair]
            ended = {
                company: (status, owner)
                for company, status, owner in session.execute(
                    select(Lead.company, Lead.status, Lead.owner_id).where(Lead.company.in_(names))
                )
            }
        amit = self.team.ids["amit"]
        won, lost = ("won", amit), "lost"
        out.stories_as_expected = sum(
            1 for company, other in out.stories if ended.get(company) == won and ended.get(other, ("", 0))[0] == lost
        )


def _prepared(db: Any, leads: int) -> Team:
    team = create_team(db)
    bulk_leads(db, team.sender_id, leads)
    analyze(db)
    return team


def _throughput(run: Run, db: Any, label: str, leads: int) -> Outcome:
    team = _prepared(db, leads)
    driver = Driver(db, team)
    driver.run(1, count_statements=False)  # warm-up: imports, caches, prepared statements
    out = driver.run(run.sizes.process_stories, count_statements=False)
    rate = out.messages / out.seconds if out.seconds else 0.0
    misreads = out.misreads()
    note = (
        f"{out.messages} messages, {leads:,} leads, one worker; {out.not_done()} not done; "
        f"{out.stories_as_expected}/{len(out.stories)} stories ended as scripted"
    )
    if misreads:
        note += f"; {len(misreads)} read as another intent ({', '.join(sorted(set(misreads))[:4])})"
    run.add(figure(SECTION, f"queue function throughput, {label}", round(rate, 1), "msg/s", note=note))
    return out


def _counts(db: Any, leads: int, stories: int) -> Outcome:
    """Statements per message of `stories` stories after a warm-up story (the first story in a fresh database
    pays one-time costs); the clock starts at the same moment at every size, so story k meets the same times."""
    driver = Driver(db, _prepared(db, leads))
    driver.run(1, count_statements=False)
    return driver.run(stories, count_statements=True)


def _typical(counts: list[int]) -> int:
    return int(statistics.median(counts)) if counts else -1


def _count_figures(run: Run, small: Outcome, big: Outcome, label: str) -> list[Figure]:
    sizes = run.sizes
    figs: list[Figure] = []
    flat = True
    misread = set(small.misreads()) | set(big.misreads())
    overhead = _typical(big.statements.get("help", []))
    for intent in dict.fromkeys(i for i, _ in STORY):
        a_all, b_all = small.statements.get(intent, []), big.statements.get(intent, [])
        a, b = _typical(a_all), _typical(b_all)
        control = _typical(big.control.get(intent, []))
        equal = a_all == b_all
        flat = flat and equal
        note = (
            f"{sizes.small_leads:,} leads: {a}; {sizes.big_leads:,} leads: {b}; {'equal' if equal else 'NOT equal'}; "
            f"{control} transaction control; {b - overhead:+d} over `help` (the pipeline's fixed part)"
        )
        bad = [m for m in misread if m.startswith(f"{intent}→")]
        if bad:
            note += f"; read as {bad[0].split('→')[1]}"
        name = f"statements per command, {intent} ({label})"
        figs.append(figure(SECTION, name, max(a, b), "statements", PER_COMMAND, note))
    figs.append(
        Figure(
            SECTION,
            f"statements flat from {sizes.small_leads:,} to {sizes.big_leads:,} leads ({label})",
            "equal" if flat else "not equal",
            "",
            "equal at both sizes",
            flat,
            f"each message's count, story by story, at both sizes; stories ended as scripted: "
            f"{small.stories_as_expected}/{len(small.stories)} and {big.stories_as_expected}/{len(big.stories)}",
        )
    )
    slow_small, slow_big = median(small.ms), median(big.ms)
    figs.append(
        figure(
            SECTION,
            f"time per command at {sizes.big_leads:,} ÷ at {sizes.small_leads:,} leads ({label})",
            round(slow_big / slow_small, 2) if slow_small else None,
            "×",
            note=f"medians {slow_small:.1f} ms and {slow_big:.1f} ms",
        )
    )
    return figs


def measure(run: Run) -> None:
    """Throughput on SQLite and PostgreSQL; statements per intent at a small and a big lead count."""
    importlib.import_module("crm_core.pipeline.process")  # fail early, clearly, when the piece is missing

    with sqlite_database(run, "process-small") as db:
        _throughput(run, db, "SQLite", run.sizes.small_leads)
    sizes = run.sizes
    with sqlite_database(run, "count-small") as db:
        small = _counts(db, sizes.small_leads, sizes.count_stories)
    with sqlite_database(run, "count-big") as db:
        big = _counts(db, sizes.big_leads, sizes.count_stories)
    run.add(*_count_figures(run, small, big, "SQLite"))

    reason = None if run.sizes.postgres else "disabled"
    reason = reason or postgres_reason()
    if reason:
        run.add(not_measured(SECTION, "queue function throughput, PostgreSQL", reason))
        return
    with postgres_database() as db:
        _throughput(run, db, "PostgreSQL", run.sizes.small_leads)
    with postgres_database() as db:
        pg_small = _counts(db, sizes.small_leads, sizes.count_stories)
    with postgres_database() as db:
        pg_big = _counts(db, sizes.big_leads, sizes.count_stories)
    run.add(*_count_figures(run, pg_small, pg_big, "PostgreSQL"))
