"""crm_core.matching: company keys, Devanagari transliteration, fuzzy lead and people matching."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crm_core.db.models import Lead, User
from crm_core.matching import company_key, company_score, devanagari_to_latin, has_devanagari, match_lead, match_user


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Acme Pvt Ltd", "acme"),
        ("ACME Pvt. Ltd.", "acme"),
        ("Acme Private Limited", "acme"),
        ("acme  ltd", "acme"),
        ("Acme LLP", "acme"),
        ("Sharma & Co.", "sharma"),
        ("M/s Sharma Traders", "sharmatraders"),
        ("Sharma-Traders", "sharmatraders"),
        ("Kumar Steels (India) Pvt Ltd", "kumarsteelsindia"),
        ("शर्मा ट्रेडर्स प्राइवेट लिमिटेड", "शर्माट्रेडर्स"),
        ("Ltd", "ltd"),  # nothing but a suffix: keep it rather than an empty key
    ],
)
def test_company_key(name: str, key: str) -> None:
    assert company_key(name) == key


@pytest.mark.parametrize(
    ("text", "latin"),
    [
        ("प्रिया", "priya"),
        ("अमित", "amit"),
        ("राहुल", "rahul"),
        ("शर्मा", "sharma"),
        ("कुमार", "kumar"),
        ("सुरेश", "suresh"),
        ("विजय", "vijay"),
        ("Acme", "Acme"),
        ("२५", "25"),
    ],
)
def test_devanagari_to_latin(text: str, latin: str) -> None:
    assert devanagari_to_latin(text) == latin


def test_has_devanagari() -> None:
    assert has_devanagari("कल 4 बजे") and not has_devanagari("kal 4 baje")


@pytest.mark.parametrize(
    ("query", "company"),
    [
        ("acme", "Acme Pvt Ltd"),
        ("Acmee", "Acme Pvt Ltd"),
        ("sharma tradrs", "Sharma Traders"),
        ("Kumar Steel", "Kumar Steels"),
        ("kumarsteels", "Kumar Steels"),
        ("शर्मा ट्रेडर्स", "Sharma Traders"),
        ("कुमार स्टील्स", "Kumar Steels"),
        ("Kumar", "Kumar Steels"),
    ],
)
def test_scores_that_match(query: str, company: str) -> None:
    assert company_score(query, company) >= 85


@pytest.mark.parametrize(
    ("query", "company"),
    [("Acme Traders", "Acme Pvt Ltd"), ("Gupta", "Sharma Steels"), ("Patel", "Pitale Foods"), ("Zeta", "Beta")],
)
def test_scores_that_do_not_match(query: str, company: str) -> None:
    assert company_score(query, company) < 85


def _lead(i: int, company: str) -> Lead:
    return Lead(
        id=i, company=company, company_key=company_key(company), last_activity_at=datetime(2026, 1, i, tzinfo=UTC)
    )


def test_match_lead_one_clear() -> None:
    leads = [_lead(1, "Acme Pvt Ltd"), _lead(2, "Kumar Steels")]
    assert match_lead("acme", leads).lead is leads[0]


def test_match_lead_several_and_exact_wins() -> None:
    leads = [_lead(1, "Sharma Traders"), _lead(2, "Sharma Steels"), _lead(3, "Acme")]
    match = match_lead("Sharma", leads)
    assert match.lead is None and match.ambiguous and {lead.id for lead in match.candidates} == {1, 2}
    leads.append(_lead(4, "Sharma Pvt Ltd"))
    assert match_lead("sharma", leads).lead is leads[3]


def test_match_lead_none_with_suggestion() -> None:
    leads = [_lead(1, "Kumar Steels")]
    match = match_lead("Kumar Steel Works", leads)
    assert match.lead is None and not match.ambiguous and match.suggestion is leads[0]
    assert match_lead("Zeta Pharma", leads).suggestion is None
    assert match_lead("anything", []).lead is None


def _user(i: int, username: str, name: str) -> User:
    return User(id=i, username=username, name=name, phone=f"+9198765000{i:02d}", role="member", active=True)


USERS = [_user(1, "priya", "Priya Sharma"), _user(2, "amit", "Amit Verma"), _user(3, "rk", "Rahul Kumar")]


@pytest.mark.parametrize(
    ("query", "username"),
    [
        ("priya", "priya"),
        ("PRIYA", "priya"),
        ("Priya Sharma", "priya"),
        ("प्रिया", "priya"),
        ("अमित", "amit"),
        ("@amit", "amit"),
        ("Rahul", "rk"),
        ("राहुल", "rk"),
        ("RK", "rk"),
        ("Priyaa", "priya"),
        ("rahul kumar", "rk"),
    ],
)
def test_match_user(query: str, username: str) -> None:
    match = match_user(query, USERS)
    assert match.user is not None and match.user.username == username


def test_match_user_unknown_and_ambiguous() -> None:
    assert match_user("Bholu", USERS).user is None
    assert match_user("", USERS).user is None
    two = [*USERS, _user(4, "rahul.m", "Rahul Mehta")]
    match = match_user("Rahul", two)
    assert match.user is None and {u.username for u in match.candidates} == {"rk", "rahul.m"}


def test_legal_words_only_dropped_at_the_end() -> None:
    assert company_key("Company 5 Traders Pvt Ltd") == "company5traders"
    assert company_key("The Acme Co.") == "acme"
    assert company_key("Private Limited") == "privatelimited"


def test_long_lists_are_prefiltered_and_still_exact() -> None:
    leads = [_lead(1 + i % 28, f"Company {i} Traders Pvt Ltd") for i in range(1000)]
    for i, lead in enumerate(leads):
        lead.id = i + 1
    leads.append(_lead(1, "Sharma Traders"))
    leads[-1].id = 5000
    assert match_lead("Company 77 Traders", leads).lead is leads[77]
    assert match_lead("शर्मा ट्रेडर्स", leads).lead is leads[-1]
    assert match_lead("sharma tradrs", leads).lead is leads[-1]
    assert match_lead("Company 7 Traders Pvt. Ltd.", leads).lead is leads[7]
