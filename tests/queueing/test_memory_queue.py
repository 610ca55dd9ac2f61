"""The in-process queue keeps Azure Storage Queue semantics: leases, dequeue counts, pop receipts, delays."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from crm_core.queueing import InMemoryQueue, MessageGone, build_inbound_queue, memory_queue, reset_memory_queues


class FakeMonotonic:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock() -> FakeMonotonic:
    return FakeMonotonic()


@pytest.fixture
def q(clock: FakeMonotonic) -> InMemoryQueue:
    return InMemoryQueue("inbound", monotonic=clock)


def test_a_received_message_carries_body_id_receipt_and_first_dequeue(q: InMemoryQueue) -> None:
    q.send("नमस्ते, new lead")
    [m] = q.receive(max_messages=5, visibility_timeout=30)
    assert m.body == "नमस्ते, new lead"
    assert m.dequeue_count == 1
    assert m.id and m.pop_receipt


def test_a_leased_message_is_invisible_until_its_visibility_timeout_ends(q: InMemoryQueue, clock) -> None:
    q.send("a")
    [first] = q.receive(visibility_timeout=30)
    assert q.receive() == []
    assert q.count() == 1
    clock.t += 29.9
    assert q.receive() == []
    clock.t += 0.2
    [again] = q.receive(visibility_timeout=30)
    assert again.id == first.id and again.dequeue_count == 2
    assert again.pop_receipt != first.pop_receipt


def test_a_stale_pop_receipt_cannot_delete(q: InMemoryQueue, clock) -> None:
    q.send("a")
    [first] = q.receive(visibility_timeout=1)
    clock.t += 2
    [second] = q.receive(visibility_timeout=30)
    with pytest.raises(MessageGone):
        q.delete(first)
    q.delete(second)
    assert q.count() == 0
    with pytest.raises(MessageGone):
        q.delete(second)


def test_a_delayed_message_appears_only_after_its_delay(q: InMemoryQueue, clock) -> None:
    q.send("later", delay_seconds=5)
    q.send("now")
    assert [m.body for m in q.receive(max_messages=10)] == ["now"]
    clock.t += 5
    assert [m.body for m in q.receive(max_messages=10)] == ["later"]


def test_release_makes_a_message_visible_again_after_the_given_delay(q: InMemoryQueue, clock) -> None:
    q.send("a")
    [m] = q.receive(visibility_timeout=600)
    released = q.release(m, visibility_timeout=3)
    assert q.receive() == []
    clock.t += 3
    [again] = q.receive()
    assert again.dequeue_count == 2
    with pytest.raises(MessageGone):
        q.release(released)  # received again since: the old receipt is stale


def test_receive_takes_the_oldest_first_and_at_most_max_messages(q: InMemoryQueue) -> None:
    for i in range(5):
        q.send(str(i))
    assert [m.body for m in q.receive(max_messages=3)] == ["0", "1", "2"]
    assert [m.body for m in q.receive(max_messages=3)] == ["3", "4"]


def test_peek_and_count_do_not_receive(q: InMemoryQueue) -> None:
    q.send("a")
    q.send("b")
    assert q.peek() == ["a", "b"]
    assert q.count() == 2
    assert q.receive(max_messages=2)[0].dequeue_count == 1


def test_bad_arguments_are_refused(q: InMemoryQueue) -> None:
    with pytest.raises(ValueError):
        q.send("a", delay_seconds=-1)
    with pytest.raises(TypeError):
        q.send(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        q.receive(max_messages=0)


def test_concurrent_consumers_each_get_every_message_exactly_once() -> None:
    q = InMemoryQueue("many")
    for i in range(500):
        q.send(str(i))
    seen: Counter[str] = Counter()
    lock = threading.Lock()

    def consume() -> None:
        while batch := q.receive(max_messages=7, visibility_timeout=600):
            for m in batch:
                with lock:
                    seen[m.body] += 1
                q.delete(m)

    threads = [threading.Thread(target=consume) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 500 and set(seen.values()) == {1}
    assert q.count() == 0


def test_wait_returns_when_a_message_arrives_from_another_thread() -> None:
    q = InMemoryQueue("waiting")
    done = threading.Event()

    def waiter() -> None:
        q.wait(60)
        done.set()

    t = threading.Thread(target=waiter)
    t.start()
    q.send("hello")
    t.join(30)
    assert done.is_set()
    assert q.receive()[0].body == "hello"


def test_the_registry_shares_one_queue_per_name() -> None:
    reset_memory_queues()
    assert memory_queue("inbound") is memory_queue("inbound")
    assert memory_queue("inbound") is not memory_queue("inbound-poison")


def test_build_inbound_queue_gives_the_shared_in_memory_queue(settings) -> None:
    reset_memory_queues()
    queue = build_inbound_queue(settings)
    queue.send('{"x": 1}')
    assert memory_queue(settings.inbound_queue).peek() == ['{"x": 1}']


def test_queue_names_are_case_insensitive_like_azure(settings) -> None:
    from crm_core.queueing import open_queue

    reset_memory_queues()
    shouting = settings.model_copy(update={"inbound_queue": "Inbound-X"})
    build_inbound_queue(shouting).send("hello")
    assert open_queue(settings, "inbound-x").peek() == ["hello"]
