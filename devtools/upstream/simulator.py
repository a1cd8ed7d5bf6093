"""``orderflow dev upstream``: play an upstream service against a running orderflow.

Over Kafka it writes ``OrderSubmitted`` CloudEvents to the intake topic (a duplicate reuses the
first ``ce_id`` or takes a new one, as a producer retry or an application retry would); over
HTTP it gets a token (client credentials), posts with an Idempotency-Key and retries the same
key after a connection error, a 409 in progress or a 5xx. It prints a JSON report naming every
external reference it submitted, so a test can check each got exactly one reply.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from devtools.upstream.plan import Kind, Planner, Send


@dataclass
class Report:
    """What the simulator sent and what it was told."""

    over: str
    sent: dict[str, int] = field(default_factory=lambda: {k.value: 0 for k in Kind})
    references: list[str] = field(default_factory=list)  # every submission to expect a reply for
    statuses: dict[str, int] = field(default_factory=dict)  # HTTP: final status per count
    retries: int = 0
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The printed report."""
        per_second = sum(self.sent.values()) / self.seconds if self.seconds else 0.0
        return {**vars(self), "seconds": round(self.seconds, 3), "per_second": round(per_second, 1)}


async def paced(
    planner: Planner, count: int, rate: float, send: Callable[[Send], Awaitable[None]]
) -> float:
    """Call ``send`` ``count`` times at ``rate`` per second; the seconds it took."""
    started = time.perf_counter()
    for index in range(count):
        due = started + index / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        await send(planner.next())
    return time.perf_counter() - started


def note(report: Report, sending: Send, ce_ids: dict[str, uuid.UUID]) -> uuid.UUID:
    """Count ``sending``, remember a new reference, and pick its ``ce_id``: a duplicate reuses
    the first one half of the time (a producer retry), else takes a new one (a new attempt)."""
    report.sent[sending.kind.value] += 1
    reference = sending.body["external_reference"]
    first = ce_ids.get(reference)
    if sending.kind is not Kind.DUPLICATE or first is None:
        report.references.append(reference)
        ce_ids[reference] = first = uuid.uuid4()
        return first
    return first if report.sent[Kind.DUPLICATE.value] % 2 else uuid.uuid4()
