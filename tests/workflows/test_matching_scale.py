"""Company lookup among 20,000 leads: the same answers as on a small list, from a bounded number of rows."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from crm_core import matching
from crm_core.accounts import NewUser, create_user
from crm_core.db.models import Lead, User
from crm_core.db.session import Database
from crm_core.matching import CANDIDATE_LIMIT, FALLBACK_LIMIT, company_key, find_lead

LEADS = 20_000
NOW = datetime(2026, 11, 24, 4, 30, tzinfo=UTC)
# Filler names share first letters with the named leads ("Sha…", "Kum…") so prefix ranges hold thousands of rows,
# and are newer than them, so "the most recently active" never finds the named leads by luck.
FILLER_WORDS = ("Shakti", "Shanti", "Kumbh", "Kumud", "Apex", "Zenith", "Orbit", "Nova")
FILLER_NOUNS = ("Systems", "Foods", "Motors", "Labs", "Works")
NAMED = ("Sharma Traders Pvt Ltd", "Sharma Steels", "Kumar Steels", "गुप्ता इलेक्ट्रिकल्स", "Patel Agro LLP")
MOST_ROWS = 2 * CANDIDATE_LIMIT + FALLBACK_LIMIT  # exact + narrowed + broad, whatever the number of leads
MOST_STATEMENTS = 3  # at most three lookups; a leader's team is a subquery (loading the answer is not counted)


@dataclass
class Meter:
    """Rows the lookup fetched and statements it ran."""

    rows: list[int] = field(default_factory=list)
    statements: int = 0
    lookup: tuple[list[int], int] = ([], 0)  # rows and statements of the last lookup_lead

    def reset(self) -> None:
        self.rows.clear()
        self.statements = 0


def _seed(database: Database) -> None:
    with database.transaction() as s:
        for new in (
            NewUser("asha", "Asha Admin", "+919876500001", role="admin"),
            NewUser("lata", "Lata Leader", "+919876500002", role="leader"),
            NewUser("priya", "Priya Sharma", "+919876500003", leader="lata"),
            NewUser("ravi", "Ravi Kumar", "+919876500006"),
        ):
            create_user(s, new)
    with database.transaction() as s:
        ids = {u.username: u.id for u in s.scalars(select(User))}
    rng = random.Random(7)
    rows: list[dict[str, Any]] = []
    for i in range(LEADS):
        name = f"{rng.choice(FILLER_WORDS)} {rng.choice(FILLER_NOUNS)} {i}"
        rows.append(_row(name, ids["priya"], NOW - timedelta(minutes=i)))
    for i, name in enumerate(NAMED):
        rows.append(_row(name, ids["priya"], NOW - timedelta(days=300 + i)))
    with database.engine.begin() as conn:
        for start in range(0, len(rows), 5000):
            conn.execute(insert(Lead), rows[start : start + 5000])


def _row(name: str, owner_id: int, at: datetime) -> dict[str, Any]:
    return {
        "company": name, "company_key": company_key(name), "contact_name": "Contact", "phone": "+919300000000",
        "source": "IndiaMART", "status": "new", "owner_id": owner_id, "creator_id": owner_id,
        "created_at": at, "updated_at": at, "last_activity_at": at,
    }  # fmt: skip


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """20,000 of priya's leads (seeded once for the module) in a migrated SQLite file."""
    from crm_core.db.migrate import upgrade

    database = Database(f"sqlite:///{tmp_path_factory.mktemp('scale') / 'crm.db'}")
    upgrade(database.engine)
    _seed(database)
    yield database
    database.dispose()


def _metered(database: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Meter]:
    """Count the candidate rows matching fetches (its one row-fetching helper) and every statement run."""
    meter = Meter()
    light = matching._light

    def counting(session: Session, stmt: Any) -> list[Any]:
        rows = light(session, stmt)
        meter.rows.append(len(rows))
        return rows

    def count(*_: Any) -> None:
        meter.statements += 1

    monkeypatch.setattr(matching, "_light", counting)
    event.listen(database.engine, "before_cursor_execute", count)
    yield meter
    event.remove(database.engine, "before_cursor_execute", count)


@pytest.fixture
def meter(big: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Meter]:
    """A meter on the big database."""
    yield from _metered(big, monkeypatch)


def _user(s: Session, username: str) -> User:
    user = s.scalar(select(User).where(User.username == username))
    assert user is not None
    return user


def _lookup(database: Database, meter: Meter, username: str, query: str) -> tuple[str | None, list[str], str | None]:
    """(clear match, candidates, suggestion) as company names; the meter counts only the lookup itself."""
    with database.transaction() as s:
        user = _user(s, username)
        meter.reset()
        match = matching.lookup_lead(s, matching.lookup_scope(user), query)
        meter.lookup = (list(meter.rows), meter.statements)
        assert sum(meter.rows) <= MOST_ROWS, meter.rows
        assert meter.statements <= MOST_STATEMENTS, meter.statements
        full = find_lead(s, user, query)  # the public entry point answers the same
        assert (full.lead.id if full.lead else None) == (match.lead.id if match.lead else None)
        return (
            match.lead.company if match.lead else None,
            sorted(c.company for c in match.candidates) if match.lead is None else [],
            match.suggestion.company if match.suggestion else None,
        )


@pytest.mark.parametrize("username", ["asha", "lata", "priya"])
@pytest.mark.parametrize(
    ("query", "company"),
    [
        ("sharma traders", "Sharma Traders Pvt Ltd"),  # case, spacing, legal suffix
        ("SHARMA TRADERS PVT. LTD.", "Sharma Traders Pvt Ltd"),
        ("Kumar Steel", "Kumar Steels"),  # typo at the end
        ("Kumarr Steels", "Kumar Steels"),  # typo in the first word, after its first letters
        ("Kmuar Steels", "Kumar Steels"),  # typo in the first letters: found by the other word
        ("Agro", "Patel Agro LLP"),  # a later word alone
        ("शर्मा ट्रेडर्स", "Sharma Traders Pvt Ltd"),  # Devanagari query, Latin name
        ("Gupta", "गुप्ता इलेक्ट्रिकल्स"),  # Latin query, Devanagari name
        ("गुप्ता इलेक्ट्रिकल्स", "गुप्ता इलेक्ट्रिकल्स"),
    ],
)
def test_found_among_20000_leads_from_bounded_rows(big: Database, meter: Meter, username: str, query: str,
                                                   company: str) -> None:  # fmt: skip
    assert _lookup(big, meter, username, query)[0] == company


def test_several_matches_are_offered_as_a_choice(big: Database, meter: Meter) -> None:
    lead, candidates, _ = _lookup(big, meter, "asha", "Sharma")
    assert lead is None and candidates == ["Sharma Steels", "Sharma Traders Pvt Ltd"]


def test_none_suggests_the_closest(big: Database, meter: Meter) -> None:
    assert _lookup(big, meter, "priya", "Kumar Steel Works") == (None, [], "Kumar Steels")
    assert _lookup(big, meter, "priya", "Xylo Pharma")[:2] == (None, [])


def test_an_exact_name_takes_one_indexed_query(big: Database, meter: Meter) -> None:
    _lookup(big, meter, "asha", "Kumar Steels Pvt Ltd")
    assert meter.lookup == ([1], 1)


def test_leads_of_others_are_not_found_though_they_exist(big: Database, meter: Meter) -> None:
    assert _lookup(big, meter, "ravi", "Kumar Steels") == (None, [], None)  # not even a suggestion
    assert _lookup(big, meter, "asha", "Kumar Steel")[0] == "Kumar Steels"


@pytest.mark.postgres
def test_postgres_finds_among_many_leads_from_bounded_rows(pg_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    _seed(pg_db)
    for meter in _metered(pg_db, monkeypatch):
        assert _lookup(pg_db, meter, "asha", "Kumar Steels")[0] == "Kumar Steels"
        assert meter.lookup == ([1], 1)
        assert _lookup(pg_db, meter, "lata", "Kmuar Steels")[0] == "Kumar Steels"
        assert _lookup(pg_db, meter, "priya", "शर्मा ट्रेडर्स")[0] == "Sharma Traders Pvt Ltd"
        assert _lookup(pg_db, meter, "asha", "Gupta")[0] == "गुप्ता इलेक्ट्रिकल्स"
        assert _lookup(pg_db, meter, "asha", "Sharma")[1] == ["Sharma Steels", "Sharma Traders Pvt Ltd"]
