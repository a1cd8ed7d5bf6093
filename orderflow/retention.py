"""Retention jobs of the composition root: the consumer inbox sweep, from the settings."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from consumers.runtime.retention import InboxRetention, run_inbox_retention
from orderflow.settings import Settings
from orderflow.wiring import database_engine


def inbox_retention(settings: Settings) -> InboxRetention:
    """The inbox retention window and pace, from the settings."""
    return InboxRetention(
        keep=timedelta(days=settings.consumers.inbox_retention_days),
        batch_size=settings.consumers.inbox_sweep_batch_size,
        interval_seconds=settings.consumers.inbox_sweep_interval_seconds,
    )


async def run_inbox_sweep(settings: Settings, stop: asyncio.Event) -> None:
    """Delete expired inbox rows every interval until ``stop`` (errors back off, never stop)."""
    engine = database_engine(settings)
    try:
        await run_inbox_retention(engine, inbox_retention(settings), stop)
    finally:
        await engine.dispose()
