"""The circuit breaker: closed → open → half-open → closed (or open again)."""

from __future__ import annotations

from domains.payments.api import BreakerState, CircuitBreaker


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _breaker(clock: Clock, seen: list[BreakerState] | None = None) -> CircuitBreaker:
    return CircuitBreaker(
        failure_threshold=3,
        reset_timeout=10,
        clock=clock,
        on_change=(seen.append if seen is not None else None),
    )


def test_it_opens_after_the_threshold_of_consecutive_failures_and_refuses_calls() -> None:
    breaker = _breaker(Clock())

    for _ in range(3):
        assert breaker.allow()
        breaker.record_failure()

    assert breaker.state is BreakerState.OPEN
    assert not breaker.allow()
    assert breaker.retry_after() == 10


def test_a_success_resets_the_failure_count() -> None:
    breaker = _breaker(Clock())

    for _ in range(2):
        breaker.record_failure()
    breaker.record_success()
    for _ in range(2):
        breaker.record_failure()

    assert breaker.state is BreakerState.CLOSED


def test_after_the_pause_one_probe_goes_through_and_its_success_closes() -> None:
    clock, seen = Clock(), list[BreakerState]()
    breaker = _breaker(clock, seen)
    for _ in range(3):
        breaker.record_failure()

    clock.now += 10
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.allow()
    assert not breaker.allow()  # only one probe at a time
    breaker.record_success()

    assert breaker.state.value == "closed"
    assert seen == [
        BreakerState.CLOSED,
        BreakerState.OPEN,
        BreakerState.HALF_OPEN,
        BreakerState.CLOSED,
    ]


def test_a_failed_probe_opens_the_circuit_again_for_a_full_pause() -> None:
    clock = Clock()
    breaker = _breaker(clock)
    for _ in range(3):
        breaker.record_failure()
    clock.now += 10
    assert breaker.allow()

    breaker.record_failure()

    assert breaker.state is BreakerState.OPEN
    clock.now += 9
    assert not breaker.allow()
