"""The one yes/no recogniser every confirmation uses: English, Hinglish and Hindi as people write them."""

from __future__ import annotations

import pytest

from crm_core.handlers.yesno import is_no, is_yes

YES = [
    "yes", "Yes!!", "y", "yeah", "yes please", "sure", "ok", "okay", "ok done", "ok kar do", "go ahead", "do it",
    "create it", "book it", "no problem", "ok thanks",
    "haan", "haaan", "ha", "haan ji", "ji", "ji haan", "hanji", "ha bana do", "haan bana do", "haan ji kar do",
    "theek hai", "thik h", "sahi hai", "bilkul", "kar do", "bana do", "sab theek hai",
    "हाँ", "हां", "जी", "जी हाँ", "ठीक है", "हाँ कर दो", "हाँ बना दो", "👍",
]  # fmt: skip
NO = [
    "no", "n", "nope", "no thanks", "not now", "no need", "cancel", "cancel it", "dont", "don't create it",
    "forget it", "leave it", "wrong",
    "nahi", "nahin", "na", "nahi rehne do", "rehne do", "mat karo", "mat banao", "nahi chahiye", "abhi nahi",
    "nahi ji",
    "नहीं", "नही", "रहने दो", "मत करो", "मत बनाओ", "👎",
]  # fmt: skip
NEITHER = [
    "", "2", "yes 2", "9876512345", "Amit", "kal 4 baje", "hello", "thanks", "show my leads", "new lead Acme",
    "yes but on friday", "haan nahi", "ok cancel", "haan na", "haan, aur Acme ka demo kal rakho",
]  # fmt: skip


@pytest.mark.parametrize("text", YES)
def test_yes(text: str) -> None:
    assert is_yes(text) and not is_no(text)


@pytest.mark.parametrize("text", NO)
def test_no(text: str) -> None:
    assert is_no(text) and not is_yes(text)


@pytest.mark.parametrize("text", NEITHER)
def test_neither(text: str) -> None:
    assert not is_yes(text) and not is_no(text)
