"""The local stack's queue counts (infra/emulator.py): made again after a second while they
are cheap, and kept a hundred times as long as they took once they are dear, so that a
queue nobody reads never slows the server down."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from infra import emulator


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(emulator.time, "monotonic", clock)
    return clock


def _counter(clock: Clock, takes: float) -> tuple[Any, list[int]]:
    """A count that takes ``takes`` seconds of the clock, and the list of its answers."""
    made: list[int] = []

    def count(queue: Any) -> int:
        clock.now += takes
        made.append(len(queue.messages))
        return made[-1]

    return emulator.counted_now_and_then("n", count), made


def test_a_cheap_count_is_made_again_after_a_second(clock: Clock) -> None:
    counted, made = _counter(clock, takes=0.001)
    queue = SimpleNamespace(messages=[1, 2])
    assert counted(queue) == 2
    queue.messages.append(3)
    clock.now += 0.5
    assert counted(queue) == 2  # kept
    clock.now += 0.6
    assert counted(queue) == 3  # a second after the last count
    assert made == [2, 3]


def test_a_dear_count_is_kept_a_hundred_times_as_long_as_it_took(clock: Clock) -> None:
    counted, made = _counter(clock, takes=0.2)
    queue = SimpleNamespace(messages=list(range(38_000)))
    assert counted(queue) == 38_000
    queue.messages.append(0)
    clock.now += 19.0
    assert counted(queue) == 38_000  # 0.2 s of counting buys 20 s
    clock.now += 1.5
    assert counted(queue) == 38_001
    assert made == [38_000, 38_001]


def test_each_queue_and_each_count_is_kept_apart(clock: Clock) -> None:
    counted, _ = _counter(clock, takes=0.0)
    other = emulator.counted_now_and_then("other", lambda queue: -1)
    first, second = SimpleNamespace(messages=[1]), SimpleNamespace(messages=[1, 2])
    assert (counted(first), counted(second), other(first)) == (1, 2, -1)
