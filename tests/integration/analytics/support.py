"""Applying histories to the analytics facts and reading the figures of their day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.analytics import LIVE, Period, analytics_document
from events import Envelope, IntegrationEvent

Sessions = async_sessionmaker[AsyncSession]


async def apply(sessions: Sessions, events: Iterable[tuple[IntegrationEvent, Envelope]]) -> None:
    """Apply ``events`` to the live facts, in one transaction, as the handler does."""
    async with sessions.begin() as session:
        for event, envelope in events:
            await LIVE.apply(session, event, envelope)


async def figures_of(session: AsyncSession, day: date) -> dict[str, Any]:
    """Every figure of one UTC day."""
    return await analytics_document(session, Period(day, day + timedelta(days=1)))


async def figures(sessions: Sessions, day: date) -> dict[str, Any]:
    """Every figure of one UTC day, in a session of its own."""
    async with sessions() as session:
        return await figures_of(session, day)
