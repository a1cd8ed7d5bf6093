"""What a simulated upstream service sends: fresh submissions, the occasional duplicate and
bad record, decided by a seeded random generator so a run can be repeated."""

from __future__ import annotations

import enum
import random
import uuid
from dataclasses import dataclass
from typing import Any


class Kind(enum.StrEnum):
    """One send of the simulator."""

    FRESH = "fresh"  # a new submission
    DUPLICATE = "duplicate"  # an earlier submission again (a retry after a lost answer)
    BAD = "bad"  # a record that breaks the schema (no lines)


@dataclass(frozen=True)
class Send:
    """One thing to send: its kind and its body (a duplicate repeats an earlier body)."""

    kind: Kind
    body: dict[str, Any]


@dataclass
class Planner:
    """Bodies of ``skus`` in ``currency``; ``duplicates`` and ``bad`` are probabilities."""

    skus: tuple[str, ...]
    currency: str = "EUR"
    duplicates: float = 0.1
    bad: float = 0.05
    seed: int = 1
    run: str = ""

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)  # noqa: S311  (a simulation, not a secret)
        self._sent: list[dict[str, Any]] = []
        self.run = self.run or uuid.uuid4().hex[:8]

    def next(self) -> Send:
        """The next send."""
        roll = self._random.random()
        if self._sent and roll < self.duplicates:
            return Send(Kind.DUPLICATE, self._random.choice(self._sent))
        body = self._fresh()
        if roll < self.duplicates + self.bad:
            body = {**body, "lines": []}
            return Send(Kind.BAD, body)
        self._sent.append(body)
        return Send(Kind.FRESH, body)

    def _fresh(self) -> dict[str, Any]:
        number = len(self._sent) + 1
        lines = [{"sku": self._random.choice(self.skus), "quantity": self._random.randint(1, 2)}]
        return {
            "external_reference": f"sim-{self.run}-{number:06d}-{self._random.randrange(10**6)}",
            "customer_id": str(uuid.uuid4()),
            "currency": self.currency,
            "lines": lines,
            "payment": {"method": "external", "reference": f"sim-pay-{number}"},
        }
