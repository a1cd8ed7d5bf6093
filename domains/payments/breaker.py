"""A circuit breaker: stop calling a failing provider, probe it again after a pause.

closed → (``failure_threshold`` consecutive failures) → open → (``reset_timeout`` elapsed) →
half-open: one probe call at a time; its success closes the circuit, its failure re-opens it.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable


class BreakerState(enum.StrEnum):
    """The three states; the gauge exports them as 0, 1, 2."""

    CLOSED = "closed"
    HALF_OPEN = "half_open"
    OPEN = "open"


GAUGE_VALUE = {BreakerState.CLOSED: 0, BreakerState.HALF_OPEN: 1, BreakerState.OPEN: 2}


class CircuitBreaker:
    """Consecutive-failure breaker. Not thread-safe; one per event loop (per process)."""

    def __init__(
        self,
        *,
        failure_threshold: int = 5,
        reset_timeout: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        on_change: Callable[[BreakerState], None] | None = None,
    ) -> None:
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self._clock = clock
        self._on_change = on_change or (lambda _: None)
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._probing = False
        self._on_change(self._state)

    @property
    def state(self) -> BreakerState:
        """The current state (an open circuit turns half-open once the pause is over)."""
        if self._state is BreakerState.OPEN and self._pause_over():
            self._set(BreakerState.HALF_OPEN)
        return self._state

    def retry_after(self) -> float:
        """Seconds until an open circuit lets a probe through (0 when not open)."""
        if self.state is not BreakerState.OPEN:
            return 0.0
        return max(0.0, self._opened_at + self.reset_timeout - self._clock())

    def allow(self) -> bool:
        """Whether a call may go out now; in half-open, only one probe at a time."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.HALF_OPEN and not self._probing:
            self._probing = True
            return True
        return False

    def record_success(self) -> None:
        """A call got an answer (a decline is an answer too)."""
        self._failures = 0
        self._probing = False
        if self._state is not BreakerState.CLOSED:
            self._set(BreakerState.CLOSED)

    def record_failure(self) -> None:
        """A call timed out, failed to connect or got a 5xx."""
        self._probing = False
        self._failures += 1
        if self._state is BreakerState.HALF_OPEN or self._failures >= self.failure_threshold:
            self._opened_at = self._clock()
            self._set(BreakerState.OPEN)

    def _pause_over(self) -> bool:
        return self._clock() - self._opened_at >= self.reset_timeout

    def _set(self, state: BreakerState) -> None:
        self._state = state
        self._on_change(state)
