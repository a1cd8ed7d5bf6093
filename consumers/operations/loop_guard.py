"""The loop guard: a record replayed too often is refused unless the operator forces it."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MAX_REPLAYS = 3


@dataclass(frozen=True)
class LoopGuard:
    """Refuses records already replayed ``max_replays`` times (``force`` lifts the limit)."""

    max_replays: int = DEFAULT_MAX_REPLAYS
    force: bool = False

    def allows(self, replays_so_far: int) -> bool:
        """True when a record replayed ``replays_so_far`` times may be replayed again."""
        return self.force or replays_so_far < self.max_replays
