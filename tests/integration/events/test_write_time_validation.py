"""Appending an unknown or invalid event raises before the transaction commits: nothing lands."""

from __future__ import annotations

import uuid

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from events import IntegrationEvent
from events.registry import UnknownEventType
from events.schemas import OrderPlaced
from outbox.append import append
from outbox.tables import outbox_events
from tests.unit.events.factories import order_placed


class Unregistered(IntegrationEvent):
    """Nobody registered this event."""

    order_id: uuid.UUID


async def _outbox_rows(sessions: async_sessionmaker[AsyncSession], key: str) -> int:
    async with sessions() as session:
        query = select(func.count()).where(outbox_events.c.key == key)
        return int(await session.scalar(query) or 0)


async def test_an_invalid_payload_never_reaches_the_outbox(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    good = order_placed()
    bad = OrderPlaced.model_construct(**{**dict(good), "total_minor": -1})

    async with sessions.begin() as session:
        await append(session, good, aggregate_version=1)
        with pytest.raises(ValidationError, match="total_minor"):
            await append(session, bad, aggregate_version=2)
        await session.rollback()  # what a unit of work does when an append raises

    assert await _outbox_rows(sessions, str(good.order_id)) == 0


async def test_an_unknown_event_type_never_reaches_the_outbox(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    order_id = uuid.uuid4()

    with pytest.raises(UnknownEventType):
        async with sessions.begin() as session:
            await append(session, Unregistered(order_id=order_id), aggregate_version=1)

    assert await _outbox_rows(sessions, str(order_id)) == 0


async def test_a_valid_event_is_written_as_the_newest_version(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    event = order_placed()

    async with sessions.begin() as session:
        await append(session, event, aggregate_version=1)

    async with sessions() as session:
        query = select(outbox_events.c.event_version).where(
            outbox_events.c.key == str(event.order_id)
        )
        assert await session.scalar(query) == 2
