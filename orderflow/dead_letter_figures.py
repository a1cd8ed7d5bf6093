"""The job ``dlq:figures``: the dead-letter metrics (``orderflow_dlq_*``) from durable state.

It runs in ``orderflow jobs`` (and ``orderflow run``): every
``ORDERFLOW_DLQ_METRICS_INTERVAL_SECONDS`` it reads the end and start offsets of each deployed
group's dead-letter topic and the ``messaging`` bookkeeping, and the process serves that reading
at every scrape. A failed reading backs off and runs again; the last good one stays served.
"""

from __future__ import annotations

import asyncio
import contextlib

from prometheus_client import REGISTRY

from consumers.operations.figures import read_figures
from consumers.operations.metrics import DEAD_LETTERS
from consumers.operations.watermarks import DeadLetterWatermarks
from foundation.jobs import run_every
from orderflow.settings import Settings
from orderflow.wiring.connections import database_sessions
from orderflow.wiring.deployment import deployed_consumers, job_backoff
from orderflow.wiring.pools import DatabasePools

JOB = "dlq:figures"


async def run_dead_letter_figures(
    settings: Settings, pools: DatabasePools, stop: asyncio.Event
) -> None:
    """Refresh the dead-letter figures every interval until ``stop`` (on the background pool)."""
    with contextlib.suppress(ValueError):  # registered once per process, however often started
        REGISTRY.register(DEAD_LETTERS)
    groups = [consumer.name for consumer in deployed_consumers(settings).values()]
    sessions = database_sessions(settings, pools.background)
    async with DeadLetterWatermarks(settings.kafka.connection()) as watermarks:

        async def one_pass() -> None:
            spans = await watermarks.spans(groups)
            async with sessions() as session:
                DEAD_LETTERS.update(await read_figures(session, spans))

        interval = settings.dead_letters.metrics_interval_seconds
        await run_every(JOB, one_pass, interval, stop, backoff=job_backoff(settings))
