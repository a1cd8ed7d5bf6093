"""Bulkheads for expensive routes: at most N run at once per process, one more is refused.

A report (the analytics figures, their CSV) reads whole periods; a dozen at once would keep
the API's workers and the background pool busy for everyone. A :class:`Bulkhead` lets
``limit`` of them run and refuses the next at once — 503 problem+json ``bulkhead_full`` with
``Retry-After`` — rather than queueing it: a queued report holds its client's connection and
a worker while it waits, and the client can retry as well as we can wait. A refusal is
logged (``bulkhead_full``, with the request's correlation id) and counted in
``orderflow_bulkhead_rejected_total{bulkhead}``; ``orderflow_bulkhead_in_use{bulkhead}`` and
``orderflow_bulkhead_limit{bulkhead}`` show how full it is.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import structlog
from prometheus_client import Counter, Gauge

from domains.shared import Unavailable

log = structlog.get_logger("orderflow.http.bulkhead")

REJECTED = Counter(
    "orderflow_bulkhead_rejected_total",
    "Requests a full bulkhead refused (503 bulkhead_full)",
    ["bulkhead"],
)
IN_USE = Gauge("orderflow_bulkhead_in_use", "Requests running inside a bulkhead", ["bulkhead"])
LIMIT = Gauge("orderflow_bulkhead_limit", "Requests a bulkhead lets run at once", ["bulkhead"])


class BulkheadFull(Unavailable):
    """Every slot of a bulkhead is taken: retry after ``retry_after`` seconds."""

    code = "bulkhead_full"


class Bulkhead:
    """At most ``limit`` requests of one kind (``name``) at once in this process.

    Use :meth:`slot` as a FastAPI dependency of the routes it guards.
    """

    def __init__(self, name: str, limit: int, *, retry_after: float = 5.0) -> None:
        self.name = name
        self.limit = limit
        self.retry_after = retry_after
        self.running = 0
        LIMIT.labels(bulkhead=name).set(limit)
        IN_USE.labels(bulkhead=name).set_function(lambda: self.running)
        REJECTED.labels(bulkhead=name)  # zero from the start: rate() needs a first sample

    async def slot(self) -> AsyncIterator[None]:
        """Hold a slot while the request runs; raise :class:`BulkheadFull` when none is free.

        The check and the taking happen without an ``await`` between them, so the event loop
        cannot let two requests take the last slot.
        """
        if self.running >= self.limit:
            REJECTED.labels(bulkhead=self.name).inc()
            log.warning("bulkhead_full", bulkhead=self.name, limit=self.limit)
            raise BulkheadFull(
                f"{self.limit} {self.name} are being computed already; retry after "
                f"Retry-After seconds.",
                retry_after=self.retry_after,
            )
        self.running += 1
        try:
            yield
        finally:
            self.running -= 1
