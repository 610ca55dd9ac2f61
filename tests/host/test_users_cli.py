"""`users unlock|passwd|deactivate|activate|list`: operators manage accounts without SQL."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from argon2 import PasswordHasher

from crm_core.accounts import NewUser, create_user
from crm_core.cli import main
from crm_core.composition import Container, set_container
from crm_core.db.models import User
from crm_core.security import lockout, passwords
from crm_core.security.passwords import verify_password
from tests.host.test_cli import cli_env

PASSWORD = "first password 1"


@pytest.fixture
def team(settings, db, clock, monkeypatch):
    hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", lambda: hasher)
    c = Container(settings, database=db, clock=clock)
    set_container(c)
    with db.transaction() as s:
        for username, phone, role in (("asha", "+919800000001", "admin"), ("amit", "+919800000002", "member")):
            create_user(s, NewUser(username=username, name=username.title(), phone=phone, role=role, password=PASSWORD))
    return c


def _user(c: Container, username: str) -> User:
    from crm_core.accounts import find_by_username

    with c.database.transaction() as s:
        u = find_by_username(s, username)
        assert u is not None
        s.expunge(u)
        return u


def _lock(c: Container, name: str) -> None:
    with c.database.transaction() as s:
        for _ in range(c.settings.login_max_failures):
            lockout.record_failure(s, lockout.identity_of(name), c.clock.now(), c.settings.login_max_failures, 15)


def test_unlock_by_username_or_phone_clears_both_identities(team, capsys):
    _lock(team, "amit")
    _lock(team, "98000 00002")
    with team.database.transaction() as s:
        assert lockout.lock_state(s, _user(team, "amit"), team.clock.now()) is not None
    main(["users", "list"])
    assert "locked until" in capsys.readouterr().out
    assert main(["users", "unlock", "+91 98000 00002"]) == 0
    assert "unlocked amit" in capsys.readouterr().out
    with team.database.transaction() as s:
        assert lockout.lock_state(s, _user(team, "amit"), team.clock.now()) is None
    main(["users", "list"])
    assert "locked until" not in capsys.readouterr().out


def test_passwd_from_stdin_sets_the_password_and_ends_sessions(team, capsys, monkeypatch):
    before = _user(team, "amit")
    monkeypatch.setattr(sys, "stdin", io.StringIO("a brand new password\n"))
    assert main(["users", "passwd", "AMIT", "--password-stdin"]) == 0
    after = _user(team, "amit")
    assert verify_password(after.password_hash, "a brand new password")
    assert after.token_version == before.token_version + 1
    assert "sessions have ended" in capsys.readouterr().out


@pytest.mark.parametrize("bad", ["short", "x" * 129])
def test_passwd_refuses_a_bad_password_and_changes_nothing(team, capsys, bad):
    assert main(["users", "passwd", "amit", "--password", bad]) == 2
    assert "8 to 128 characters" in capsys.readouterr().err
    assert verify_password(_user(team, "amit").password_hash, PASSWORD)


def test_passwd_without_a_terminal_or_a_source_is_a_clear_error(team, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["users", "passwd", "amit"]) == 2
    assert "--password-stdin" in capsys.readouterr().err


def test_deactivate_and_activate(team, capsys):
    before = _user(team, "amit")
    assert main(["users", "deactivate", "amit"]) == 0
    after = _user(team, "amit")
    assert after.active is False and after.token_version == before.token_version + 1
    assert main(["users", "activate", "amit"]) == 0
    assert _user(team, "amit").active is True


def test_the_last_active_admin_cannot_be_deactivated(team, capsys):
    assert main(["users", "deactivate", "asha"]) == 2
    assert "last active admin" in capsys.readouterr().err
    assert _user(team, "asha").active is True


@pytest.mark.parametrize("action", ["unlock", "deactivate", "activate"])
def test_an_unknown_user_is_one_clear_line(team, capsys, action):
    assert main(["users", action, "nobody"]) == 2
    assert capsys.readouterr().err.strip() == "error: no user 'nobody'; see `python -m crm_core users list`"


def test_passwd_through_the_real_command_line(tmp_path):
    env = cli_env(tmp_path)

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "crm_core", *args],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=120,
        )

    assert run("db", "upgrade").returncode == 0
    added = run("users", "add", "--username", "neha", "--name", "Neha", "--phone", "9876543210", "--role", "member")
    assert added.returncode == 0, added.stderr
    changed = run("users", "passwd", "neha", "--password-stdin", stdin="chosen on the cli\n")
    assert changed.returncode == 0, changed.stderr
    assert "password of neha changed" in changed.stdout
