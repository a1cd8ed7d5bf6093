"""What loyalty does with orderflow's events: plain business logic on typed events.

Each handler runs in one transaction with its dedupe row, so a redelivered event changes nothing.
"""

from __future__ import annotations

import logging
import uuid
from typing import Annotated

from faststream import Context
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from loyalty.tables import orders, point_entries, processed_events
from orderflow_events import (
    EventMetadata,
    OrderCancelled,
    OrderConfirmed,
    OrderPlaced,
    OrderRefunded,
)
from orderflow_events.dedupe import first_delivery
from orderflow_events.faststream import EventRouter, Metadata

logger = logging.getLogger("loyalty")
Sessions = Annotated[async_sessionmaker[AsyncSession], Context("sessions")]


def points_for(total_minor: int) -> int:
    """One point per whole currency unit spent."""
    return total_minor // 100


def build_router(group_id: str, topic_prefix: str) -> EventRouter:
    """Loyalty's subscriptions."""
    router = EventRouter(group_id=group_id, prefix=topic_prefix)
    router.subscriber(OrderPlaced)(remember_customer)
    router.subscriber(OrderConfirmed)(award_points)
    router.subscriber(OrderRefunded)(take_back_points)
    router.subscriber(OrderCancelled)(take_back_points)
    return router


async def remember_customer(event: OrderPlaced, meta: Metadata, sessions: Sessions) -> None:
    """Whose order it is: ``OrderConfirmed`` does not say."""
    async with sessions.begin() as session:
        if await first_delivery(session, processed_events, meta):
            row = {"order_id": event.order_id, "customer_id": event.customer_id}
            await session.execute(insert(orders).values(row).on_conflict_do_nothing())


async def award_points(event: OrderConfirmed, meta: Metadata, sessions: Sessions) -> None:
    """Points for a confirmed order, once."""
    async with sessions.begin() as session:
        if not await first_delivery(session, processed_events, meta):
            return
        customer = await session.scalar(
            select(orders.c.customer_id).where(orders.c.order_id == event.order_id)
        )
        if customer is None:  # placed before this service subscribed: nobody to credit
            logger.warning("order %s confirmed, but its OrderPlaced was never seen", event.order_id)
            return
        await _enter(
            session, meta, event.order_id, "award", customer, points_for(event.total_minor)
        )


async def take_back_points(
    event: OrderRefunded | OrderCancelled, meta: Metadata, sessions: Sessions
) -> None:
    """A refunded or cancelled order gives its points back (if it earned any)."""
    async with sessions.begin() as session:
        if not await first_delivery(session, processed_events, meta):
            return
        award = (
            await session.execute(
                select(point_entries.c.customer_id, point_entries.c.points).where(
                    point_entries.c.order_id == event.order_id, point_entries.c.kind == "award"
                )
            )
        ).first()
        if award is not None:
            await _enter(
                session, meta, event.order_id, "take_back", award.customer_id, -award.points
            )


async def _enter(
    session: AsyncSession,
    meta: EventMetadata,
    order_id: uuid.UUID,
    kind: str,
    customer_id: uuid.UUID,
    points: int,
) -> None:
    row = {
        "order_id": order_id,
        "kind": kind,
        "customer_id": customer_id,
        "points": points,
        "event_id": meta.event_id,
    }
    await session.execute(insert(point_entries).values(row).on_conflict_do_nothing())
    logger.info(
        "%s %s points for order %s (event %s, correlation %s)",
        kind,
        points,
        order_id,
        meta.event_id,
        meta.correlation_id,
    )
