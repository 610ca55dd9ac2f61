"""End to end (#13 i): Message Master follow-ups arrive as two WhatsApp messages — a header naming the lead, then
the text to forward, exactly the step's text and its file, nothing else. Webhook → queue → handlers → outbox →
the timer's sweep → the Maytapi fake. The clock starts at Tue 24 Nov 2026, 10:00 IST.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from crm_core.db.models import Outbox
from crm_core.nurture.templates import list_steps, render, update_step
from tests.conftest import IST
from tests.e2e.test_lead_lifecycle import AMIT, PRIYA, Bot, _text, _to, bot  # noqa: F401  (the fixture)

pytestmark = pytest.mark.e2e

OUR_TEXT = (
    "Namaste {contact_name} ji,\n\nAs discussed in the demo, here is the Acme Softech brochure.\n\n"
    "Regards,\n{assignee}\nAcme Softech"
)


def _due(bot: Bot) -> list[datetime]:  # noqa: F811
    with bot.container.database.transaction() as s:
        rows = s.query(Outbox).filter(Outbox.kind == "reminder").order_by(Outbox.due_at, Outbox.id).all()
        return [r.due_at for r in rows]


def test_hinglish_demo_done_then_the_text_to_forward_arrives_alone_with_its_file(bot: Bot) -> None:  # noqa: F811
    with bot.container.database.transaction() as s:  # the admin set the organisation's own day-1 text and file
        first = list_steps(s)[0]
        update_step(
            s,
            first.id,
            {"text": OUR_TEXT, "attachment_url": "https://files.acme.in/Acme-Brochure.pdf"},
            bot.clock.now(),
        )
    bot.say(AMIT, "New lead: Sharma Traders, Rakesh Sharma, 9876543210")
    bot.say(AMIT, "Sharma Traders ka demo kal 4 baje")
    bot.clock.set(datetime(2026, 11, 25, 17, 30, tzinfo=IST))
    out = bot.say(AMIT, "Sharma Traders ka demo ho gaya, client ko reporting pasand aayi")
    assert "Sharma Traders" in _text(_to(out, AMIT)[0])
    first_due = _due(bot)[0]
    assert bot.sweep_at(first_due - timedelta(minutes=1)) == []
    header, forward = bot.sweep_at(first_due)
    assert header["type"] == "text" and header["to_number"] == AMIT
    assert _text(header).startswith("Follow-up 1/3 for *Sharma Traders* — Rakesh Sharma, +91 98765 43210.")
    assert "Forward the next message with its attachment" in _text(header) and "Fill in" not in _text(header)
    expected = render(OUR_TEXT, contact_name="Rakesh Sharma", company="Sharma Traders", assignee="Amit")
    assert {k: v for k, v in forward.items() if k != "skip_filter"} == {
        "to_number": AMIT,
        "type": "media",
        "message": "https://files.acme.in/Acme-Brochure.pdf",
        "text": expected,
        "filename": "Acme-Brochure.pdf",
    }
    assert bot.sweep_at(first_due + timedelta(minutes=5)) == []  # each sent once


def test_hindi_demo_done_default_steps_flag_their_placeholders(bot: Bot) -> None:  # noqa: F811
    bot.say(PRIYA, "नया लीड: लोटस इंटीरियर्स, संपर्क पूजा शर्मा, 9811098111")
    bot.say(PRIYA, "लोटस इंटीरियर्स का डेमो कल 4 बजे")
    bot.clock.set(datetime(2026, 11, 25, 17, 30, tzinfo=IST))
    out = bot.say(PRIYA, "लोटस इंटीरियर्स का डेमो हो गया, क्लाइंट खुश है")
    if "हाँ" in _text(_to(out, PRIYA)[0]):  # the rules are unsure of this wording offline: the bot asks first
        out = bot.say(PRIYA, "हाँ")
    assert any("\u0900" <= ch <= "\u097f" for ch in _text(_to(out, PRIYA)[0]))  # answered in Hindi
    dues = _due(bot)
    assert len(dues) == 3
    assert len(bot.sweep_at(dues[0])) == 2  # day 1: the brochure
    story = bot.sweep_at(dues[1])  # day 3: the customer story the admin has not filled in yet
    header, forward = story
    assert "Follow-up 2/3" in _text(header) and "Fill in [a customer like लोटस इंटीरियर्स]" in _text(header)
    assert forward["type"] == "text" and _text(forward).startswith("Hello पूजा शर्मा ji,")
    assert "Follow-up" not in _text(forward) and _text(forward).endswith("Priya\n[your company]")
    assert "60%" not in _text(forward) and "Pune" not in _text(forward)  # no invented figures or places


def test_english_reassignment_moves_header_and_text_together(bot: Bot) -> None:  # noqa: F811
    bot.say(PRIYA, "New lead: Desai Pharma, Hetal Desai, 9824055667")
    bot.say(PRIYA, "Schedule demo with Desai Pharma tomorrow 11am")
    bot.clock.set(datetime(2026, 11, 25, 12, 30, tzinfo=IST))
    bot.say(PRIYA, "Demo done for Desai Pharma, they asked for a proposal")
    out = bot.say(PRIYA, "Reassign Desai Pharma to Amit")
    assert _to(out, AMIT)
    header, forward = bot.sweep_at(_due(bot)[0])
    assert header["to_number"] == forward["to_number"] == AMIT
    assert _text(forward).startswith("Namaste Hetal Desai ji,") and "Amit\n[your company]" in _text(forward)
    assert "Priya" not in _text(forward)
