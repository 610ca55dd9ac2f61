"""Operators without SQL: logout, changing one's own password, and the admin's unlock / password / deactivate /
activate; every way a session ends revokes the tokens; a password-less user can never hold a token."""

from __future__ import annotations

import jwt
import pytest

from crm_core.db.models import User
from crm_core.security.tokens import ALGORITHM, ISSUER, TokenError, issue_token, password_version
from tests.api.conftest import PASSWORD_M1A, seed_world


@pytest.fixture
def team(api_container):
    return seed_world(api_container, passwords=True)


def _login(client, name: str, password: str):
    return client.post("/api/login", json_body={"username": name, "password": password})


def _token(client, name: str, password: str) -> str:
    r = _login(client, name, password)
    assert r.status == 200, r.body
    return r.json["token"]


def _me(client, token: str) -> int:
    return client.get("/api/users/me", token=token).status


# ----- logout -----


def test_logout_revokes_the_token_and_every_other_session(client, team):
    laptop = _token(client, "m1a", PASSWORD_M1A)
    phone = _token(client, "m1a", PASSWORD_M1A)
    assert _me(client, laptop) == _me(client, phone) == 200
    r = client.post("/api/logout", token=laptop)
    assert r.status == 200 and r.json == {"logged_out": True}
    assert _me(client, laptop) == _me(client, phone) == 401
    assert client.post("/api/logout", token=laptop).status == 401  # a revoked token cannot log out again
    assert _me(client, _token(client, "m1a", PASSWORD_M1A)) == 200  # logging in again works
    assert _me(client, team.token("leader1")) == 200  # nobody else is affected


def test_logout_needs_a_token(client, team):
    r = client.post("/api/logout")
    assert r.status == 401 and r.error_code == "unauthorized"


# ----- changing one's own password -----


def test_changing_ones_password_needs_the_current_one_and_revokes_older_tokens(client, team):
    old = _token(client, "m1a", PASSWORD_M1A)
    r = client.post(
        "/api/users/me/password",
        json_body={"current_password": PASSWORD_M1A, "new_password": "a new password 42"},
        token=old,
    )
    assert r.status == 200, r.body
    assert _me(client, old) == 401
    assert _me(client, r.json["token"]) == 200  # the answer carries a fresh token
    assert _login(client, "m1a", PASSWORD_M1A).status == 401
    assert _login(client, "m1a", "a new password 42").status == 200


def test_a_wrong_current_password_is_refused_and_counts_towards_the_lock(client, team, api_container):
    token = _token(client, "m1a", PASSWORD_M1A)
    body = {"current_password": "not it at all", "new_password": "a new password 42"}
    for _ in range(api_container.settings.login_max_failures):
        r = client.post("/api/users/me/password", json_body=body, token=token)
        assert r.status == 403 and r.error_code == "wrong_password", r.body
    locked = client.post("/api/users/me/password", json_body=body, token=token)
    assert locked.status == 429 and int(locked.headers["Retry-After"]) > 0
    assert _login(client, "m1a", PASSWORD_M1A).status == 429  # the username is locked
    assert _me(client, token) == 200  # the session itself goes on


@pytest.mark.parametrize("new", ["short", "x" * 129])
def test_a_new_password_must_be_8_to_128_characters(client, team, new):
    token = _token(client, "m1a", PASSWORD_M1A)
    r = client.post("/api/users/me/password", json_body={"current_password": PASSWORD_M1A, "new_password": new}, token=token)
    assert r.status in (413, 422)


# ----- the admin's actions -----


def _admin(client, team, action: str, username: str, body=None, actor: str = "admin"):
    return client.post(f"/api/users/{team.users[username].id}/{action}", json_body=body, token=team.token(actor))


@pytest.mark.parametrize("action", ["unlock", "password", "deactivate", "activate"])
@pytest.mark.parametrize("actor", ["leader1", "m1b"])
def test_admin_actions_are_for_admins_only(client, team, action, actor, api_container):
    from crm_core.accounts import set_password_hash

    with api_container.database.transaction() as s:  # m1b has no password in this team: give it one
        set_password_hash(s, s.get(User, team.users["m1b"].id), team.users["admin"].password_hash)
    token = team.fresh_token(actor)
    body = {"password": "another password"} if action == "password" else None
    r = client.post(f"/api/users/{team.users['m1a'].id}/{action}", json_body=body, token=token)
    assert r.status == 403 and r.error_code == "forbidden"


def test_admin_unlocks_a_locked_user(client, team, api_container):
    for _ in range(api_container.settings.login_max_failures):
        _login(client, "m1a", "wrong password")
    assert _login(client, "m1a", PASSWORD_M1A).status == 429
    r = _admin(client, team, "unlock", "m1a")
    assert r.status == 200, r.body
    assert r.json["action"] == "unlock" and r.json["locked_until"] is None and r.json["user"]["username"] == "m1a"
    assert _login(client, "m1a", PASSWORD_M1A).status == 200


def test_unlock_answers_the_lock_state_and_covers_the_phone_too(client, team, api_container):
    for _ in range(api_container.settings.login_max_failures):
        client.post("/api/login", json_body={"phone": "+91 98000 00004", "password": "wrong password"})
    assert client.post("/api/login", json_body={"phone": "9800000004", "password": PASSWORD_M1A}).status == 429
    assert _admin(client, team, "unlock", "m1a").status == 200
    assert client.post("/api/login", json_body={"phone": "9800000004", "password": PASSWORD_M1A}).status == 200


def test_admin_sets_a_password_ending_the_users_sessions(client, team):
    session = _token(client, "m1a", PASSWORD_M1A)
    r = _admin(client, team, "password", "m1a", {"password": "chosen by admin"})
    assert r.status == 200 and r.json["sessions_ended"] is True, r.body
    assert _me(client, session) == 401
    assert _login(client, "m1a", PASSWORD_M1A).status == 401
    assert _login(client, "m1a", "chosen by admin").status == 200


def test_admin_gives_a_password_less_user_a_password(client, team):
    assert _login(client, "m1b", "first password").status == 401
    assert _admin(client, team, "password", "m1b", {"password": "first password"}).status == 200
    assert _login(client, "m1b", "first password").status == 200


def test_deactivation_revokes_tokens_and_stops_login_until_activated(client, team):
    session = _token(client, "m1a", PASSWORD_M1A)
    r = _admin(client, team, "deactivate", "m1a")
    assert r.status == 200 and r.json["user"]["active"] is False and r.json["sessions_ended"] is True
    assert _me(client, session) == 401
    assert _login(client, "m1a", PASSWORD_M1A).status == 401
    r = _admin(client, team, "activate", "m1a")
    assert r.status == 200 and r.json["user"]["active"] is True
    assert _me(client, session) == 401  # old tokens stay dead
    assert _login(client, "m1a", PASSWORD_M1A).status == 200


def test_admins_cannot_deactivate_themselves_or_reset_their_own_password(client, team):
    assert _admin(client, team, "deactivate", "admin").status == 403
    r = _admin(client, team, "password", "admin", {"password": "no current one"})
    assert r.status == 403 and "users/me/password" in r.json["error"]["message"]
    assert _me(client, team.token("admin")) == 200


@pytest.mark.parametrize("action", ["unlock", "password", "deactivate", "activate"])
def test_admin_action_on_an_unknown_user_is_404(client, team, action):
    body = {"password": "another password"} if action == "password" else None
    r = client.post(f"/api/users/99999/{action}", json_body=body, token=team.token("admin"))
    assert r.status == 404 and r.error_code == "not_found"


def test_the_openapi_document_lists_the_account_routes(client):
    paths = client.get("/api/openapi.json").json["paths"]
    for path in (
        "/logout",
        "/users/me/password",
        "/users/{user_id}/password",
        "/users/{user_id}/unlock",
        "/users/{user_id}/deactivate",
        "/users/{user_id}/activate",
    ):
        op = paths[path]["post"]
        assert op["security"] == [{"bearerAuth": []}], path
        assert "401" in op["responses"], path
    assert "429" in paths["/users/me/password"]["post"]["responses"]
    assert "403" in paths["/users/{user_id}/unlock"]["post"]["responses"]


# ----- no token for a password-less user -----


def test_no_token_can_be_issued_for_a_password_less_user(team, api_container):
    u = team.users["m1b"]
    assert u.password_hash is None
    with pytest.raises(TokenError):
        issue_token(u.id, None, api_container.settings, api_container.clock.now())


def test_a_token_minted_with_the_secret_for_a_password_less_user_is_refused(client, team, api_container):
    """Whoever has AUTH_SECRET could sign the shared 'no password' fingerprint; the API refuses such tokens."""
    now = api_container.clock.now()
    forged = jwt.encode(
        {
            "sub": str(team.users["m1b"].id),
            "iss": ISSUER,
            "iat": int(now.timestamp()),
            "exp": int(now.timestamp()) + 3600,
            "jti": "x",
            "pwv": password_version(None),
            "tv": 0,
        },
        api_container.settings.auth_secret,
        algorithm=ALGORITHM,
    )
    r = client.get("/api/users/me", token=forged)
    assert r.status == 401 and r.error_code == "invalid_token"


def test_removing_a_password_revokes_the_users_tokens(client, team, api_container):
    token = _token(client, "m1a", PASSWORD_M1A)
    with api_container.database.transaction() as s:
        s.get(User, team.users["m1a"].id).password_hash = None
    assert _me(client, token) == 401


def test_a_token_without_a_token_version_is_refused(client, team, api_container):
    now = api_container.clock.now()
    u = team.users["admin"]
    claims = {"sub": str(u.id), "iss": ISSUER, "iat": int(now.timestamp()), "exp": int(now.timestamp()) + 60}
    secret = api_container.settings.auth_secret
    no_version = jwt.encode({**claims, "pwv": password_version(u.password_hash)}, secret, algorithm=ALGORITHM)
    assert _me(client, no_version) == 401
    wrong_type = jwt.encode({**claims, "pwv": password_version(u.password_hash), "tv": "0"}, secret, algorithm=ALGORITHM)
    assert _me(client, wrong_type) == 401
