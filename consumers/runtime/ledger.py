"""What this process learned from external calls whose marks may not be durable yet.

An effect calls a partner (SMTP, the carrier) and then marks its row in PostgreSQL. When the
mark fails after the call succeeded (the database blinked), the batch waits and the effect
runs again; the ledger lets that run find the answer and only mark, instead of calling again.
It lives in memory: a process that dies in between loses it, and the call is made again —
with the same idempotency key, where the partner takes one.
"""

from __future__ import annotations

import collections
from typing import Generic, TypeVar

T = TypeVar("T")


class OutcomeLedger(Generic[T]):
    """Outcomes by key, at most ``capacity`` of them (the oldest are dropped first)."""

    def __init__(self, capacity: int = 100_000) -> None:
        self._outcomes: collections.OrderedDict[str, T] = collections.OrderedDict()
        self._capacity = capacity

    def remember(self, key: str, outcome: T) -> None:
        """The call of ``key`` ended with ``outcome``."""
        self._outcomes[key] = outcome
        self._outcomes.move_to_end(key)
        while len(self._outcomes) > self._capacity:
            self._outcomes.popitem(last=False)

    def outcome(self, key: str) -> T | None:
        """What the call of ``key`` ended with; None when this process does not know."""
        return self._outcomes.get(key)

    def forget(self, key: str) -> None:
        """The outcome is durable now."""
        self._outcomes.pop(key, None)
