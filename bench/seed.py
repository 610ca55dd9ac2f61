"""Bench data: a small sales team, and leads, history and outbox rows bulk-inserted with SQLAlchemy Core."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.common import NOW

TEAM = (  # username, name, phone, role
    ("anita", "Anita Desai", "+919800000001", "leader"),
    ("priya", "Priya Sharma", "+919800000002", "member"),
    ("amit", "Amit Verma", "+919800000003", "member"),
    ("neha", "Neha Gupta", "+919800000004", "member"),
    ("vikram", "Vikram Singh", "+919800000005", "member"),
    ("sunita", "Sunita Rao", "+919800000006", "member"),
    ("rahul", "Rahul Jain", "+919800000007", "member"),
)
SENDER = "priya"
_WORDS = (
    "Shree", "Ganesh", "Lakshmi", "Kaveri", "Himalaya", "Sahyadri", "Narmada", "Indus", "Vindhya", "Aravali",
    "Konark", "Ajanta", "Ellora", "Hampi", "Tanjore", "Malabar", "Deccan", "Coromandel", "Saurashtra", "Kutch",
    "Bundel", "Mewar", "Marwar", "Doaba", "Konkan", "Nilgiri", "Palni", "Godavari",
)  # fmt: skip
_NOUNS = (
    "Traders", "Textiles", "Polymers", "Pharma", "Motors", "Foods", "Exports", "Steels", "Ceramics", "Electricals",
    "Agro", "Chemicals", "Plastics", "Packaging", "Logistics", "Fabricators", "Interiors", "Paints", "Tools", "Spices",
)  # fmt: skip
_SUFFIXES = ("Pvt Ltd", "LLP", "Enterprises", "Industries", "Co")
_CITIES = ("", "Pune", "Surat", "Indore", "Nagpur", "Kochi", "Mysore", "Rajkot", "Ludhiana", "Vizag")
# Seeded leads use other words than the stories, so a story's lookups find exactly its own lead.
_SEED_WORDS = ("Apex", "Zenith", "Orbit", "Vertex", "Summit", "Pioneer", "Crest", "Horizon", "Nova", "Prime")
_SEED_NOUNS = ("Systems", "Solutions", "Ventures", "Holdings", "Works", "Labs", "Networks", "Retail", "Mart", "Hub")
STATUSES = ("new", "qualified", "meeting_scheduled", "meeting_done", "demo_scheduled", "demo_done", "won", "lost")


@dataclass(frozen=True)
class Team:
    """The bench team's user ids by username."""

    ids: dict[str, int]

    @property
    def sender_id(self) -> int:
        """The member who sends the bench's messages and owns the seeded leads."""
        return self.ids[SENDER]


def company_key(name: str) -> str:
    """The lookup key for a company name (the app's own)."""
    from crm_core.matching import company_key as app_key

    return app_key(name)


def story_companies() -> Iterator[str]:
    """Distinct company names for the bench's stories: no two share a company key (legal suffixes aside)."""
    for city in _CITIES:
        for index, (word, noun) in enumerate(itertools.product(_WORDS, _NOUNS)):
            yield " ".join(part for part in (city, word, noun, _SUFFIXES[index % len(_SUFFIXES)]) if part)


def create_team(db: Any) -> Team:
    """Create the bench team (a leader and six members, no passwords) and the organisation's default Message Master
    (demo done schedules its reminders; nothing is seeded implicitly) and return the users' ids."""
    from crm_core.accounts import NewUser, create_user
    from crm_core.nurture.templates import ensure_default_sequence

    ids: dict[str, int] = {}
    with db.transaction() as session:
        for username, name, phone, role in TEAM:
            leader = None if role == "leader" else "anita"
            user = create_user(session, NewUser(username=username, name=name, phone=phone, role=role, leader=leader))
            ids[username] = user.id
        ensure_default_sequence(session, NOW)
    return Team(ids)


def bulk_leads(db: Any, owner_id: int, count: int, *, creator_id: int | None = None, chunk: int = 10_000) -> None:
    """Insert count leads owned by owner_id, spread over the last year, in chunks (Core executemany)."""
    from sqlalchemy import insert

    from crm_core.db.models import Lead

    rng = random.Random(owner_id)
    now = NOW.astimezone(UTC)
    done = 0
    while done < count:
        rows: list[dict[str, Any]] = []
        for i in range(done, min(count, done + chunk)):
            name = f"{rng.choice(_SEED_WORDS)} {rng.choice(_SEED_NOUNS)} {i:06d}"
            at = now - timedelta(minutes=5 * i + rng.randint(0, 4))
            rows.append(
                {
                    "company": name,
                    "company_key": company_key(name),
                    "contact_name": f"Contact {i}",
                    "phone": f"+9193{i:08d}",  # stories use 94… and 95…, the team 9800…
                    "source": "IndiaMART",
                    "status": STATUSES[i % len(STATUSES)],
                    "owner_id": owner_id,
                    "creator_id": creator_id or owner_id,
                    "created_at": at,
                    "updated_at": at,
                    "last_activity_at": at,
                }
            )
        with db.engine.begin() as conn:
            conn.execute(insert(Lead), rows)
        done += len(rows)


def bulk_history(db: Any, lead_id: int, actor_id: int, count: int) -> None:
    """Give one lead count history entries (activities, a few events among them)."""
    from sqlalchemy import insert

    from crm_core.db.models import Activity, Event

    now = NOW.astimezone(UTC)
    kinds = ("note", "call", "whatsapp", "email", "status")
    activities = [
        {
            "lead_id": lead_id,
            "actor_id": actor_id,
            "kind": kinds[i % len(kinds)],
            "text": f"Bench history entry {i}: called, discussed pricing and next steps",
            "data": {"n": i},
            "created_at": now - timedelta(minutes=count - i),
        }
        for i in range(count)
    ]
    events = [
        {
            "lead_id": lead_id,
            "kind": "meeting" if i % 2 else "demo",
            "starts_at": now - timedelta(days=i),
            "has_time": True,
            "assignee_id": actor_id,
            "status": "done",
            "created_by_id": actor_id,
            "created_at": now - timedelta(days=i + 1),
            "updated_at": now - timedelta(days=i),
        }
        for i in range(max(1, count // 100))
    ]
    with db.engine.begin() as conn:
        conn.execute(insert(Activity), activities)
        conn.execute(insert(Event), events)


def bulk_due_reminders(db: Any, count: int, due: datetime, lead_id: int | None = None, chunk: int = 5_000) -> None:
    """Insert count pending reminder outbox rows due at or before `due`, to distinct phones."""
    from sqlalchemy import insert

    from crm_core.db.models import Outbox

    due_utc = due.astimezone(UTC)
    done = 0
    while done < count:
        rows = [
            {
                "recipient": f"+9196{i:08d}",
                "channel": "whatsapp",
                "kind": "reminder",
                "body": f"Reminder {i}: follow up with your lead about the proposal you sent last week.",
                "due_at": due_utc - timedelta(seconds=i),
                "urgent": True,
                "status": "pending",
                "attempts": 0,
                "lead_id": lead_id,
                "created_at": due_utc - timedelta(days=1),
            }
            for i in range(done, min(count, done + chunk))
        ]
        with db.engine.begin() as conn:
            conn.execute(insert(Outbox), rows)
        done += len(rows)


def one_lead(db: Any, owner_id: int, company: str = "Bench History Pvt Ltd") -> int:
    """Insert one lead and return its id."""
    from sqlalchemy import insert

    from crm_core.db.models import Lead

    at = NOW.astimezone(UTC)
    with db.engine.begin() as conn:
        result = conn.execute(
            insert(Lead).returning(Lead.id),
            {
                "company": company,
                "company_key": company_key(company),
                "status": "demo_done",
                "owner_id": owner_id,
                "creator_id": owner_id,
                "created_at": at,
                "updated_at": at,
                "last_activity_at": at,
            },
        )
        return int(result.scalar_one())


def analyze(db: Any) -> None:
    """Refresh PostgreSQL's planner statistics after a bulk load (autovacuum would within a minute in production)."""
    if db.engine.dialect.name != "postgresql":
        return
    from sqlalchemy import text

    with db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
