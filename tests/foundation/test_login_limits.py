"""Token buckets per client and per instance, the hash gate, and the client address behind a front end."""

from __future__ import annotations

import threading

import pytest

from crm_core.security.limits import HashGate, Limited, RateLimiter, TokenBucket, client_address


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_its_burst_then_refills_at_its_rate():
    b = TokenBucket(capacity=3, rate=0.5)
    assert [b.take(0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert b.take(0.0) == pytest.approx(2.0)  # one token every 2 s
    assert b.take(1.0) == pytest.approx(1.0)
    assert b.take(2.0) == 0.0
    assert b.take(100.0) == 0.0 and b.tokens == pytest.approx(2.0)  # never above capacity


def test_each_client_has_its_own_bucket_and_all_share_the_instance_bucket():
    clock = Clock()
    limiter = RateLimiter(per_client_per_minute=2, global_per_minute=5, clock=clock)
    limiter.admit("a")
    limiter.admit("a")
    with pytest.raises(Limited) as over:
        limiter.admit("a")
    assert over.value.code == "rate_limited" and over.value.retry_after == 30
    limiter.admit("b")
    limiter.admit("b")
    limiter.admit("c")
    with pytest.raises(Limited) as instance:  # 5 taken in all
        limiter.admit("d")
    assert instance.value.retry_after == 12
    clock.now += 12
    limiter.admit("d")  # d was not charged for the refused attempt


def test_forgotten_clients_are_bounded():
    limiter = RateLimiter(per_client_per_minute=1, global_per_minute=10_000, max_clients=3, clock=Clock())
    for name in "abcde":
        limiter.admit(name)
    assert list(limiter._clients) == ["c", "d", "e"]


def test_the_gate_bounds_hashes_at_once_and_refuses_beyond():
    gate = HashGate(slots=2, wait=0.01)
    inside = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with gate.slot():
            inside.set()
            release.wait(10)

    holders = [threading.Thread(target=hold) for _ in range(2)]
    for t in holders:
        t.start()
    for _ in range(200):
        if gate.busy == 2:
            break
        inside.wait(0.05)
    assert gate.busy == 2
    with pytest.raises(Limited) as busy, gate.slot():
        pass
    assert busy.value.code == "busy" and busy.value.retry_after == 1
    release.set()
    for t in holders:
        t.join(10)
    with gate.slot():
        assert gate.busy == 1


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("203.0.113.7:52100, 10.0.0.1", "203.0.113.7"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("2001:db8::1, 10.0.0.1", "2001:db8::1"),
        (" not-an-ip , 10.0.0.1", "not-an-ip"),
        ("", "unknown"),
        (None, "unknown"),
    ],
)
def test_client_address_is_the_first_forwarded_hop(header, expected):
    headers = {} if header is None else {"X-Forwarded-For": header}
    assert client_address(headers) == expected
