"""Phone numbers found in messages and normalised to E.164 (default region India)."""

from __future__ import annotations

import pytest

from crm_core.parsing.extract import find_phones


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9876501234", "+919876501234"),
        ("98111 22334", "+919811122334"),
        ("98100-55667", "+919810055667"),
        ("+91 98470 11223", "+919847011223"),
        ("+91-98470-11223", "+919847011223"),
        ("919876501234", "+919876501234"),
        ("09876501234", "+919876501234"),
        ("080-41234567", "+918041234567"),
        ("022-26781234", "+912226781234"),
        ("(98100 55667)", "+919810055667"),
        ("call on 98765 43210 please", "+919876543210"),
        ("0091 98765 43210", "+919876543210"),
        ("+1 415 555 2671", "+14155552671"),
    ],
)
def test_phone_forms(text: str, expected: str) -> None:
    found = find_phones(text, "IN")
    assert found and found[0][0] == expected


@pytest.mark.parametrize("text", ["28/11", "1.5 Cr", "50 lakh", "12345", "on 26 Nov at 3pm", "1234567890123456789"])
def test_not_phones(text: str) -> None:
    assert find_phones(text, "IN") == []


def test_phone_followed_by_other_numbers() -> None:
    found = find_phones("Mukesh 9829911223 10 baje", "IN")
    assert found[0][0] == "+919829911223"


def test_region_from_settings_is_used() -> None:
    assert find_phones("call 020 7946 0958", "GB")[0][0] == "+442079460958"
