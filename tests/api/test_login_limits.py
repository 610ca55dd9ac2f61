"""Login limits through the API: per-address and per-instance rate limits, and the hash gate's 429 busy."""

from __future__ import annotations

import threading

from crm_core.security import passwords
from tests.api.client import ApiClient
from tests.api.conftest import PASSWORD_M1A, seed_world
from tests.api.test_login_flood import GatedHasher, _container


def _login(client, address: str, password: str = PASSWORD_M1A, name: str = "m1a"):
    body = {"username": name, "password": password}
    return client.post("/api/login", json_body=body, headers={"X-Forwarded-For": f"{address}:40000, 10.0.0.1"})


def test_an_address_over_its_rate_gets_429_with_retry_after_and_others_do_not(settings, db, clock, fake_channel):
    c = _container(settings, db, clock, fake_channel, login_rate_per_client=3, login_rate_global=100)
    seed_world(c, passwords=True)
    client = ApiClient()
    assert [_login(client, "198.51.100.1").status for _ in range(3)] == [200, 200, 200]
    over = _login(client, "198.51.100.1")
    assert over.status == 429 and over.error_code == "rate_limited"
    assert 1 <= int(over.headers["Retry-After"]) <= 20
    assert _login(client, "198.51.100.2").status == 200


def test_the_instance_rate_covers_every_address(settings, db, clock, fake_channel):
    c = _container(settings, db, clock, fake_channel, login_rate_per_client=100, login_rate_global=4)
    seed_world(c, passwords=True)
    client = ApiClient()
    statuses = [_login(client, f"198.51.100.{i}").status for i in range(6)]
    assert statuses == [200, 200, 200, 200, 429, 429]


def test_rate_limited_attempts_do_not_count_towards_the_lock(settings, db, clock, fake_channel):
    c = _container(settings, db, clock, fake_channel, login_rate_per_client=2, login_rate_global=100)
    seed_world(c, passwords=True)
    client = ApiClient()
    for _ in range(2 + c.settings.login_max_failures):
        _login(client, "198.51.100.1", password="wrong password")
    assert _login(client, "198.51.100.2").status == 200  # only 2 failures were counted


def test_checks_beyond_the_hash_slots_get_429_busy(settings, db, clock, fake_channel, monkeypatch):
    c = _container(settings, db, clock, fake_channel, login_max_concurrent_hashes=1)
    seed_world(c, passwords=True)
    gated = GatedHasher()
    monkeypatch.setattr(passwords, "_hasher", lambda: gated)
    client = ApiClient()
    first: list = []
    t = threading.Thread(target=lambda: first.append(_login(client, "198.51.100.1")), daemon=True)
    t.start()
    try:
        assert gated.entered.acquire(timeout=10)
        busy = _login(client, "198.51.100.2")
        assert busy.status == 429 and busy.error_code == "busy" and busy.headers["Retry-After"] == "1"
    finally:
        gated.release.set()
        t.join(30)
    assert first[0].status == 200
