"""Login, tokens and lockout."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest
from sqlalchemy import func, select

from crm_core.db.models import LoginAttempt, User
from crm_core.security.lockout import lock_state
from crm_core.security.throttle import LoginThrottle
from crm_core.settings import load_settings
from tests.api.conftest import seed_world

PASSWORD = "correct horse battery"


@pytest.fixture
def team(api_container):
    return seed_world(api_container, passwords=True)


def _login(client, **body):
    return client.post("/api/login", json_body=body)


def test_login_returns_token_expiry_and_user(client, team, api_container):
    r = _login(client, username="M1A", password=PASSWORD)
    assert r.status == 200, r.body
    data = r.json
    assert data["user"]["username"] == "m1a"
    assert data["user"]["role"] == "member"
    assert data["user"]["team"] == "leader1"
    assert "password_hash" not in data["user"]
    now = api_container.clock.now()
    ttl = api_container.settings.auth_token_ttl_minutes
    assert data["expires_at"].startswith((now + timedelta(minutes=ttl)).strftime("%Y-%m-%dT%H:%M"))
    me = client.get("/api/users/me", token=data["token"])
    assert me.status == 200
    assert me.json["id"] == team.users["m1a"].id


def test_login_by_phone_in_either_field(client, team):
    assert _login(client, phone="98000 00004", password=PASSWORD).status == 200
    assert _login(client, username="+919800000004", password=PASSWORD).status == 200


def test_unknown_user_and_wrong_password_get_the_same_answer(client, team):
    wrong = _login(client, username="m1a", password="nope nope")
    unknown = _login(client, username="ghost", password="nope nope")
    assert wrong.status == unknown.status == 401
    assert wrong.json == unknown.json
    assert wrong.json["error"]["code"] == "invalid_credentials"


def test_user_without_password_or_inactive_cannot_log_in(client, team, api_container):
    assert _login(client, username="m1b", password="anything1").status == 401
    with api_container.database.transaction() as s:
        s.get(User, team.users["m1a"].id).active = False
    r = _login(client, username="m1a", password=PASSWORD)
    assert r.status == 401 and r.error_code == "invalid_credentials"


def test_failures_slow_down_then_lock_even_the_right_password(client, team, api_container, instant_throttle):
    max_failures = api_container.settings.login_max_failures
    for _ in range(max_failures - 1):
        assert _login(client, username="m1a", password="bad password").status == 401
    assert instant_throttle == sorted(instant_throttle) and instant_throttle[0] > 0
    assert instant_throttle[-1] > instant_throttle[0]
    assert _login(client, username="m1a", password="bad password").status == 401  # the locking failure
    locked = _login(client, username="m1a", password=PASSWORD)
    assert locked.status == 429
    assert locked.error_code == "too_many_attempts"
    assert int(locked.headers["Retry-After"]) > 0
    with api_container.database.transaction() as s:
        u = s.scalar(select(User).where(User.username == "m1a"))
        assert lock_state(s, u, api_container.clock.now()) is not None  # the lock is on the identity's row
    api_container.clock.advance(timedelta(minutes=api_container.settings.login_lock_minutes, seconds=1))
    ok = _login(client, username="m1a", password=PASSWORD)
    assert ok.status == 200
    with api_container.database.transaction() as s:
        u = s.scalar(select(User).where(User.username == "m1a"))
        assert lock_state(s, u, api_container.clock.now()) is None
        assert s.scalar(select(func.count()).select_from(LoginAttempt)) == 0  # success forgets the failures


def test_unknown_names_lock_like_real_ones(client, team, api_container):
    for _ in range(api_container.settings.login_max_failures):
        assert _login(client, username="ghost", password="bad password").status == 401
    assert _login(client, username="ghost", password="bad password").status == 429


def test_success_resets_failure_count(client, team, api_container):
    for _ in range(api_container.settings.login_max_failures - 1):
        _login(client, username="m1a", password="bad password")
    assert _login(client, username="m1a", password=PASSWORD).status == 200
    assert _login(client, username="m1a", password="bad password").status == 401
    assert _login(client, username="m1a", password=PASSWORD).status == 200


def test_throttle_delay_grows_and_is_capped():
    t = LoginThrottle(base_delay=0.1, max_delay=0.5, sleep=lambda s: None)
    assert [t.delay_for(n) for n in (0, 1, 2, 3, 4, 10)] == [0.0, 0.1, 0.2, 0.4, 0.5, 0.5]


@pytest.mark.parametrize("body", [{}, {"password": "x"}, {"username": "m1a"}, {"username": 5, "password": "x"}])
def test_login_rejects_incomplete_bodies(client, team, body):
    r = _login(client, **body)
    assert r.status == 422, r.body


def test_missing_token(client, world):
    r = client.get(f"/api/leads/{world.users['m1a'].id}")
    assert r.status == 401
    assert r.error_code == "unauthorized"
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Basic abc", "Bearer", "Bearer not.a.jwt", "Token xyz", "Bearer " + "a" * 5000])
def test_malformed_authorization_headers(client, world, header):
    r = client.get("/api/users/me", headers={"Authorization": header})
    assert r.status == 401
    assert r.error_code == "invalid_token"


def test_tampered_token(client, world):
    token = world.token("m1a")
    header, payload, sig = token.split(".")
    forged = jwt.encode(
        {**jwt.decode(token, options={"verify_signature": False}), "sub": str(world.users["admin"].id)},
        "another-secret-that-is-long-enough-000000",
        algorithm="HS256",
    )
    assert client.get("/api/users/me", token=forged).status == 401
    flipped = f"{header}.{payload}.{sig[:-2]}{'AA' if sig[-2:] != 'AA' else 'BB'}"
    assert client.get("/api/users/me", token=flipped).status == 401
    none_alg = jwt.encode({"sub": "1"}, key=None, algorithm="none")
    assert client.get("/api/users/me", token=none_alg).status == 401


def test_expired_token(client, world, api_container):
    token = world.token("m1a")
    api_container.clock.advance(timedelta(minutes=api_container.settings.auth_token_ttl_minutes, seconds=31))
    r = client.get("/api/users/me", token=token)
    assert r.status == 401
    assert r.error_code == "token_expired"


def test_deactivated_user_token_stops_working(client, world, api_container):
    token = world.token("m1a")
    assert client.get("/api/users/me", token=token).status == 200
    with api_container.database.transaction() as s:
        s.get(User, world.users["m1a"].id).active = False
    r = client.get("/api/users/me", token=token)
    assert r.status == 401 and r.error_code == "invalid_token"


def test_password_change_revokes_old_tokens(client, world, api_container):
    token = world.token("m1a")
    with api_container.database.transaction() as s:
        s.get(User, world.users["m1a"].id).password_hash = "changed"
    assert client.get("/api/users/me", token=token).status == 401


@pytest.mark.parametrize("secret", [None, "short"])
def test_missing_or_short_secret_is_a_clear_config_error(client, world, api_container, secret, tmp_path):
    token = world.token("m1a")
    api_container._settings = load_settings(
        DATABASE_URL=api_container.settings.database_url, AUTH_SECRET=secret, CHANNEL="console"
    )
    for r in (client.get("/api/users/me", token=token), _login(client, username="m1a", password="whatever1")):
        assert r.status == 500
        assert r.error_code == "config_error"
        assert "AUTH_SECRET" in r.json["error"]["message"]
