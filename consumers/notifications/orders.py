"""What notifications remembers about orders: who placed them, in which currency.

Order lifecycle events carry only the order id, so the customer and currency are taken from
``OrderPlaced``, which comes first on the same partition (same key). An event about an order
not seen yet is a transient failure: its ``OrderPlaced`` is still in a retry tier.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from consumers.notifications.tables import order_contacts
from consumers.runtime import MessageContext, TransientError
from events.schemas import OrderPlaced


@dataclass(frozen=True)
class OrderFacts:
    """The order details an email needs beyond the event."""

    order_id: uuid.UUID
    customer_id: uuid.UUID
    currency: str


class OrderNotKnownYet(TransientError):
    """The order's ``OrderPlaced`` was not handled yet; try again later."""


async def remember_order(event: OrderPlaced, ctx: MessageContext) -> None:
    """Keep the customer and currency of a new order."""
    await ctx.session.execute(
        insert(order_contacts)
        .values(order_id=event.order_id, customer_id=event.customer_id, currency=event.currency)
        .on_conflict_do_nothing()
    )


async def order_facts(session: AsyncSession, order_id: uuid.UUID) -> OrderFacts:
    """The facts of ``order_id``; :class:`OrderNotKnownYet` when its OrderPlaced is missing."""
    row = (
        await session.execute(select(order_contacts).where(order_contacts.c.order_id == order_id))
    ).first()
    if row is None:
        raise OrderNotKnownYet(f"order {order_id} has no OrderPlaced yet")
    return OrderFacts(row.order_id, row.customer_id, row.currency)
