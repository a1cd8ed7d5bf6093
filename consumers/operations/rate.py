"""Replay pacing: ``--rate N/s`` parsed into a token bucket."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable

from consumers.operations.errors import InvalidSelection

_RATE = re.compile(r"^(\d+(?:\.\d+)?)\s*(?:/\s*(s|sec|second|m|min|minute))?$")


def parse_rate(text: str) -> float:
    """Records per second for ``50``, ``50/s`` or ``600/m``; must be positive."""
    match = _RATE.match(text.strip().lower())
    value = float(match.group(1)) if match else 0.0
    if not match or value <= 0:
        raise InvalidSelection(
            f"bad --rate {text!r}: use records per second or per minute, e.g. 20/s or 600/m"
        )
    per_minute = (match.group(2) or "s").startswith("m")
    return value / 60 if per_minute else value


class TokenBucket:
    """Allows ``rate`` acquisitions per second on average, bursts up to ``burst``.

    The clock and sleep are injectable so the pacing is tested without waiting.
    """

    def __init__(
        self,
        rate: float,
        *,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.capacity = max(1.0, burst if burst is not None else rate)
        self._tokens = 1.0  # start nearly empty: the first second is paced too
        self._clock = clock
        self._sleep = sleep
        self._last = clock()

    async def acquire(self) -> None:
        """Take one token, waiting for it when the bucket is empty (the debt is slept off)."""
        self._refill()
        self._tokens -= 1
        if self._tokens < 0:
            await self._sleep(-self._tokens / self.rate)

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
        self._last = now
