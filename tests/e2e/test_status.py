"""End to end (#13 f): "status" through webhook → queue → handlers → outbox → the Maytapi fake tells everything
useful about a lead, in the sender's script. The clock stands at Tue 24 Nov 2026, 10:00 IST.
"""

from __future__ import annotations

import pytest

from tests.e2e.test_lead_lifecycle import AMIT, PRIYA, Bot, _text, _to, bot  # noqa: F401  (the fixture)

pytestmark = pytest.mark.e2e


def test_status_in_hinglish_after_a_busy_morning(bot: Bot) -> None:  # noqa: F811
    bot.say(AMIT, "New lead: Kumar Steels, Ramesh Kumar, 9811098110")
    bot.say(AMIT, "Kumar Steels qualified hai")
    bot.say(AMIT, "Address: Sector 5 Bhiwadi; Turnover: 8 crore")
    bot.say(AMIT, "Kumar Steels ke saath meeting kal 3 baje")
    bot.say(AMIT, "Kumar Steels ko friday ko call karna hai")
    (reply,) = _to(bot.say(AMIT, "Kumar Steels ka status kya hai"), AMIT)
    text = _text(reply)
    assert text.startswith("ℹ️ *Kumar Steels*") and "Owner: Amit" in text
    assert "Contact: Ramesh Kumar, +91 98110 98110" in text and "Next: Meeting Wed 25 Nov, 3:00 PM" in text
    assert "*Follow-ups & reminders* (1)" in text and "Fri 27 Nov, 10:00 AM" in text
    assert "• Turnover: 8 crore" in text and "Still missing: current system, challenges" in text
    assert text.splitlines()[-1].startswith("Last activity: Tue 24 Nov — ")


def test_status_in_hindi_is_answered_in_hindi(bot: Bot) -> None:  # noqa: F811
    bot.say(PRIYA, "नया लीड: लोटस इंटीरियर्स, संपर्क पूजा शर्मा, 9811098111")
    (reply,) = _to(bot.say(PRIYA, "लोटस इंटीरियर्स का स्टेटस बताओ"), PRIYA)
    text = _text(reply)
    assert "स्टेटस:" in text and "मालिक: Priya" in text and "संपर्क: पूजा शर्मा, +91 98110 98111" in text
    assert "अभी बाकी: पता, टर्नओवर, अभी का सिस्टम, चुनौतियाँ" in text and "पिछली गतिविधि:" in text
