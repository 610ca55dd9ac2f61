"""Phones to E.164 and account creation rules."""

from __future__ import annotations

import pytest

from crm_core.accounts import AccountError, NewUser, create_user, find_by_phone, find_by_username
from crm_core.phones import pretty, to_e164, whatsapp_number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("9876501234", "+919876501234"),
        ("98111 22334", "+919811122334"),
        ("+91 98470 11223", "+919847011223"),
        ("080-41234567", "+918041234567"),
        ("022-26781234", "+912226781234"),
        ("919876543210", "+919876543210"),
        ("0091 98765 43210", "+919876543210"),
        ("09876543210", "+919876543210"),
        ("+1 415 555 2671", "+14155552671"),
        ("12345", None),
        ("", None),
        ("not a phone", None),
    ],
)
def test_to_e164(raw: str, expected: str | None) -> None:
    assert to_e164(raw) == expected


def test_pretty_and_whatsapp_forms() -> None:
    assert pretty("+919876543210") == "+91 98765 43210"
    assert whatsapp_number("+919876543210") == "919876543210"


def test_create_user_normalises_and_rejects_duplicates(db) -> None:
    with db.transaction() as s:
        lead = create_user(s, NewUser(username="Priya", name="Priya", phone="98765 43210", role="leader"))
        assert lead.username == "priya" and lead.phone == "+919876543210" and lead.team == "priya"
        member = create_user(s, NewUser(username="amit", name="Amit", phone="9811122334", leader="priya"))
        assert member.leader_id == lead.id and member.team == "priya"
    with db.transaction() as s, pytest.raises(AccountError) as err:
        create_user(s, NewUser(username="PRIYA", name="P2", phone="9000000001"))
    assert err.value.code == "conflict"
    with db.transaction() as s, pytest.raises(AccountError) as err:
        create_user(s, NewUser(username="p3", name="P3", phone="+91 98765-43210"))
    assert err.value.code == "conflict"
    with db.transaction() as s:
        assert find_by_username(s, "AMIT") is not None
        assert find_by_phone(s, "+919811122334") is not None


@pytest.mark.parametrize(
    "new",
    [
        NewUser(username="x y", name="X", phone="9876500000"),
        NewUser(username="x", name="X", phone="123"),
        NewUser(username="x", name="X", phone="9876500000", role="boss"),
        NewUser(username="x", name=" ", phone="9876500000"),
        NewUser(username="x", name="X", phone="9876500000", leader="nobody"),
    ],
)
def test_create_user_rejects_bad_fields(db, new: NewUser) -> None:
    with db.transaction() as s, pytest.raises(AccountError):
        create_user(s, new)
