"""Tokens for tests that seed users without passwords (a token needs a password: see crm_core.security.tokens)."""

from __future__ import annotations

from crm_core.composition import Container
from crm_core.db.models import User
from crm_core.security.tokens import issue_token

TEST_HASH = "test-only-password-hash"  # never verified: these tests do not log in, they hold a token


def token_for(container: Container, user_id: int) -> str:
    """A token for the user as the database has them now; a password-less user gets a stand-in hash first."""
    with container.database.transaction() as s:
        user = s.get(User, user_id)
        assert user is not None
        if not user.password_hash:
            user.password_hash = TEST_HASH
        settings, now = container.settings, container.clock.now()
        return issue_token(user.id, user.password_hash, settings, now, user.token_version)[0]
