"""The topics a relay leaves out of its claims while the broker lacks them."""

from __future__ import annotations

from outbox.waiting import WaitingTopics


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_missing_topic_waits_longer_each_time_up_to_the_cap() -> None:
    clock = Clock()
    waiting = WaitingTopics(cap=4.0, initial=1.0, clock=clock)
    waits = []
    for _ in range(5):
        waits.append(waiting.missing("gone", rows=3))
        assert waiting.excluded() == ["gone"]
        clock.now += waits[-1]
        assert waiting.excluded() == []  # its wait is over: claimed and asked for again
    assert waits == [1.0, 2.0, 4.0, 4.0, 4.0]


def test_rows_claimed_before_the_wait_began_do_not_lengthen_it() -> None:
    clock = Clock()
    waiting = WaitingTopics(cap=10.0, initial=1.0, clock=clock)
    waiting.missing("gone", rows=500)
    clock.now += 0.25
    assert waiting.missing("gone", rows=500) == 0.75  # a claim made ahead of the first
    clock.now += 0.75
    assert waiting.missing("gone", rows=1) == 2.0


def test_a_topic_found_again_waits_no_more_and_starts_over() -> None:
    clock = Clock()
    waiting = WaitingTopics(cap=10.0, initial=1.0, clock=clock)
    waiting.missing("gone", rows=1)
    waiting.missing("other", rows=1)
    assert waiting.excluded() == ["gone", "other"]

    waiting.found({"gone", "t"})

    assert waiting.excluded() == ["other"]
    assert waiting.missing("gone", rows=1) == 1.0
    waiting.found({"gone", "other"})
    assert not waiting
