"""Which lanes a relay claims next: those a commit was notified for, or all it holds.

The outbox trigger NOTIFYs the lanes of the rows it enqueued (``"3,17"``). A relay woken by a
notification claims only those of its lanes: a lone commit costs one lane's index probe
instead of one per held lane, and the relays that do not hold the lane do not claim at all.
A claim that left rows of busy keys behind claims their lanes again once the keys are free.
Anything else — the poll interval passing (a lost notification), a lane with more rows than
one claim takes, lanes newly taken, an error, a notification without lanes (``orderflow
outbox republish``) — makes the next claim cover every held lane, as before.
"""

from __future__ import annotations

import asyncio


class DirtyLanes:
    """Lanes that may hold rows this relay has not claimed yet."""

    def __init__(self) -> None:
        """Start dirty: the first claim covers every held lane."""
        self._lanes: set[int] = set()
        self._all = True
        self.notified = asyncio.Event()

    def on_notify(self, payload: str) -> None:
        """A commit enqueued rows of the lanes in ``payload`` (all lanes when it names none)."""
        try:
            self._lanes.update(int(lane) for lane in payload.split(","))
        except ValueError:
            self._all = True
        self.notified.set()

    def add(self, lanes: set[int]) -> None:
        """Claim ``lanes`` next time too (without waking the relay)."""
        self._lanes.update(lanes)

    def mark_all(self) -> None:
        """The next claim covers every held lane."""
        self._all = True

    def take(self, held: list[int]) -> list[int]:
        """The held lanes to claim now; they are clean until notified again.

        Cleared before the claim, so that a notification arriving during it is not lost.
        """
        lanes = list(held) if self._all else sorted(self._lanes.intersection(held))
        self._lanes.clear()
        self._all = False
        self.notified.clear()
        return lanes
