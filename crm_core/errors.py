"""Failure kinds that decide what the queue does with a message."""


class TransientError(Exception):
    """Worth retrying later (database paused, GPT 429/timeout): the queue function re-raises it."""


class PermanentError(Exception):
    """Retrying cannot help (bad input, no permission): answered to the user, never retried."""
