"""The topics of a deployment, created explicitly (never left to broker auto-creation) by
whichever job needs them first."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

import structlog

from consumers import Consumer
from orderflow.settings import Settings
from orderflow.wiring.deployment import topic_specs
from producers import ensure_topics

log = structlog.get_logger("orderflow")


async def prepare_topics(settings: Settings, consumers: Iterable[Consumer]) -> None:
    """Create the topics this deployment needs that do not exist yet."""
    created = await ensure_topics(settings.kafka.connection(), topic_specs(settings, consumers))
    if created:
        log.info("topics_created", topics=created)


class Topics:
    """The topics of a deployment, created once by whichever job needs them first.

    Jobs that talk to Kafka await :meth:`ready` before anything else. While the broker is away
    it raises and the job is restarted with backoff, as after any failure: a broker outage at
    start-up delays those jobs instead of ending the process, and the API (which needs no
    broker) serves meanwhile.
    """

    def __init__(self, settings: Settings, consumers: Iterable[Consumer]) -> None:
        self._settings = settings
        self._consumers = list(consumers)
        self._lock = asyncio.Lock()
        self._ready = False

    async def ready(self) -> None:
        """Create the missing topics, once per process."""
        async with self._lock:
            if not self._ready:
                await prepare_topics(self._settings, self._consumers)
                self._ready = True
