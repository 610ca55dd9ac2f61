"""Phone numbers: any written form to E.164 (phonenumbers), and E.164 to the forms people read."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers


@lru_cache(maxsize=8)  # per message: the same number is read for the intent and again for the lead's fields
def to_e164(raw: str, region: str = "IN") -> str | None:
    """Normalise a written phone number to E.164, or None when it is not a valid number."""
    text = (raw or "").strip()
    if not text or len(text) > 40:
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    elif text[0].isdigit() and len(_digits(text)) > 10 and not text.startswith("0"):
        # 919876543210 (WhatsApp/Maytapi form): country code without the plus.
        candidate = _parse("+" + _digits(text), region)
        if candidate:
            return candidate
    return _parse(text, region)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _parse(text: str, region: str) -> str | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def pretty(e164: str) -> str:
    """An E.164 number as people write it: +91 98765 43210."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def whatsapp_number(e164: str) -> str:
    """The form Maytapi takes in `to_number`: country code and digits, no plus."""
    return e164.lstrip("+")
