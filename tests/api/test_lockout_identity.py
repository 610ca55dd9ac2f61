"""Lockout is keyed on the normalised login identity (E.164 phone, casefolded username), kept in the database,
and behaves the same whether or not a user has the identity: no existence oracle, no username↔phone linkage."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from crm_core.composition import Container
from tests.api.conftest import PASSWORD_M1A, RecordingQueue, seed_world

M1A_FORMS = ("98000 00004", "+919800000004", "09800000004", "919800000004", "+91 (98000) 00004")
GHOST_FORMS = ("98111 22233", "+919811122233", "09811122233", "919811122233", "+91 (98111) 22233")


@pytest.fixture
def team(api_container):
    return seed_world(api_container, passwords=True)


WRONG = "wrong password"


def _login(client, field: str, name: str, password: str = WRONG):
    return client.post("/api/login", json_body={field: name, "password": password})


def _observe(client, instant_throttle, attempts) -> list[tuple]:
    """What a stranger sees for each attempt: status, body, Retry-After, and the delay slept after it."""
    seen = []
    for field, name in attempts:
        before = len(instant_throttle)
        r = _login(client, field, name)
        seen.append((r.status, r.body, r.headers.get("Retry-After"), tuple(instant_throttle[before:])))
    return seen


def test_every_written_form_of_a_phone_shares_one_counter(client, team, api_container):
    max_failures = api_container.settings.login_max_failures
    for i in range(max_failures):
        field = "phone" if i % 2 else "username"
        assert _login(client, field, M1A_FORMS[i % len(M1A_FORMS)]).status == 401
    for form in M1A_FORMS:  # locked in every form, even with the right password
        r = _login(client, "phone", form, PASSWORD_M1A)
        assert r.status == 429 and r.error_code == "too_many_attempts", (form, r.body)


def test_username_case_and_spaces_share_one_counter(client, team, api_container):
    forms = ("m1a", "M1A", " m1a ", "M1a", "m1A")
    for i in range(api_container.settings.login_max_failures):
        assert _login(client, "username", forms[i % len(forms)]).status == 401
    assert _login(client, "username", "m1a", PASSWORD_M1A).status == 429


@pytest.mark.parametrize(
    ("known", "unknown"),
    [
        ([("username", f) for f in M1A_FORMS], [("username", f) for f in GHOST_FORMS]),
        ([("phone", f) for f in reversed(M1A_FORMS)], [("phone", f) for f in reversed(GHOST_FORMS)]),
        ([("username", f) for f in ("M1A", "m1a", " m1a")], [("username", f) for f in ("GHOST", "ghost", " ghost")]),
    ],
)
def test_known_and_unknown_identities_answer_identically(client, team, api_container, instant_throttle, known, unknown):
    """The same sequence of failures, in varied written forms, for an identity a user has and one nobody has."""
    rounds = api_container.settings.login_max_failures + 2
    sequence_known = [known[i % len(known)] for i in range(rounds)]
    sequence_unknown = [unknown[i % len(unknown)] for i in range(rounds)]
    seen_known = _observe(client, instant_throttle, sequence_known)
    seen_unknown = _observe(client, instant_throttle, sequence_unknown)
    assert seen_known == seen_unknown
    assert [s[0] for s in seen_known][-2:] == [429, 429]


def test_a_locked_username_says_nothing_about_the_phone(client, team, api_container):
    """The username and the phone are two identities: locking one does not lock the other (no linkage oracle)."""
    for _ in range(api_container.settings.login_max_failures):
        _login(client, "username", "m1a")
    assert _login(client, "username", "m1a", PASSWORD_M1A).status == 429
    assert _login(client, "phone", "98000 00004", PASSWORD_M1A).status == 200


def test_locks_live_in_the_database_as_hashes_and_hold_across_instances(client, team, api_container):
    from crm_core.db.models import LoginAttempt
    from crm_core.security import lockout

    for _ in range(api_container.settings.login_max_failures):
        _login(client, "username", "Ghost.Writer")
    with api_container.database.transaction() as s:
        rows = s.scalars(select(LoginAttempt)).all()
        assert len(rows) == 1 and rows[0].locked_until is not None
        assert rows[0].key == lockout.identity_of("ghost.writer").key
        assert "ghost" not in rows[0].key.lower()  # never the typed name in clear
    # another instance (a new container: fresh rate limits and caches) on the same database sees the lock
    from crm_core.composition import set_container

    db, clock = api_container.database, api_container.clock
    set_container(Container(api_container.settings, database=db, clock=clock, queue=RecordingQueue()))
    assert _login(client, "username", "GHOST.WRITER").status == 429


def test_failures_expire_after_the_lock_window(client, team, api_container):
    settings = api_container.settings
    for _ in range(settings.login_max_failures - 1):
        _login(client, "username", "m1a")
    api_container.clock.advance(timedelta(minutes=settings.login_lock_minutes, seconds=1))
    assert _login(client, "username", "m1a").status == 401  # counts from 1 again
    assert _login(client, "username", "m1a", PASSWORD_M1A).status == 200


def test_identity_normalisation():
    from crm_core.security import lockout

    same_phone = {lockout.identity_of(f) for f in M1A_FORMS}
    assert same_phone == {lockout.Identity("phone", "+919800000004")}
    assert lockout.identity_of(" Priya ") == lockout.identity_of("PRIYA") == lockout.Identity("username", "priya")
    assert lockout.identity_of("STRASSE") == lockout.identity_of("straße")  # casefold, not lower
    assert lockout.identity_of("1-800-FLOWERS").kind == "username"  # letters: never a vanity phone number
    assert lockout.identity_of("12345").kind == "username"  # not a valid phone number


def _record_concurrently(database, n: int, max_failures: int) -> tuple:
    from crm_core.db.models import LoginAttempt
    from crm_core.security import lockout

    identity = lockout.identity_of("+919811122233")
    start = threading.Barrier(n)
    errors: list[BaseException] = []
    from datetime import UTC, datetime

    now = datetime(2026, 11, 24, 4, 30, tzinfo=UTC)

    def one() -> None:
        try:
            start.wait(10)
            with database.transaction() as s:
                lockout.record_failure(s, identity, now, max_failures, 15)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    with database.transaction() as s:
        row = s.get(LoginAttempt, identity.key)
        assert row is not None
        return row.failures, row.locked_until


def test_concurrent_failures_are_all_counted_sqlite(db):
    failures, until = _record_concurrently(db, 12, max_failures=100)
    assert (failures, until) == (12, None)


@pytest.mark.postgres
def test_concurrent_failures_are_all_counted_postgres(pg_db):
    failures, until = _record_concurrently(pg_db, 12, max_failures=100)
    assert (failures, until) == (12, None)
    failures, until = _record_concurrently(pg_db, 12, max_failures=20)  # 24 in all: locked once, at the 20th
    assert failures == 0 and until is not None


def test_a_right_password_in_flight_when_the_identity_locks_is_refused(client, team, api_container, monkeypatch):
    """Guesses run in parallel cannot slip past the lock: the check after the hash sees it."""
    from crm_core.security import lockout, passwords
    from tests.api.test_login_flood import GatedHasher

    gated = GatedHasher()
    monkeypatch.setattr(passwords, "_hasher", lambda: gated)
    answers: list = []
    t = threading.Thread(target=lambda: answers.append(_login(client, "username", "m1a", PASSWORD_M1A)), daemon=True)
    t.start()
    try:
        assert gated.entered.acquire(timeout=10)
        settings, now = api_container.settings, api_container.clock.now()
        with api_container.database.transaction() as s:  # concurrent failures lock the identity meanwhile
            for _ in range(settings.login_max_failures):
                lockout.record_failure(s, lockout.identity_of("m1a"), now, settings.login_max_failures, 15)
    finally:
        gated.release.set()
        t.join(30)
    assert answers[0].status == 429 and answers[0].error_code == "too_many_attempts"
