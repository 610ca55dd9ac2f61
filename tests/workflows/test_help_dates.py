"""Help's examples are relative to today: no example date the bot shows has already passed (#13 item 8)."""

from __future__ import annotations

from datetime import timedelta

from tests.workflows.conftest import Bot, cmd


def test_help_example_date_is_ahead_of_today(bot: Bot) -> None:
    bot.say("priya", "help", command=cmd("help"))
    ahead = bot.clock.now().date() + timedelta(days=5)
    assert f"Reschedule meeting for Acme on {ahead.day} {ahead:%b} 4pm" in bot.last("priya")
    bot.clock.advance(timedelta(days=30))  # a month later the example moves with today
    bot.say("priya", "help", command=cmd("help"))
    later = ahead + timedelta(days=30)
    assert f"Reschedule meeting for Acme on {later.day} {later:%b} 4pm" in bot.last("priya")


def test_help_in_hindi_carries_the_same_date(bot: Bot) -> None:
    bot.say("priya", "मदद", command=cmd("help"))
    ahead = bot.clock.now().date() + timedelta(days=5)
    assert f"{ahead.day} {ahead:%b} 4 बजे" in bot.last("priya")
