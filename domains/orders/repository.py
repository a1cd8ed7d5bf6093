"""Load and store orders; every update checks the version it read."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domains.orders.lines import OrderLine
from domains.orders.model import Order, OrderStatus
from domains.orders.tables import order_lines, orders
from domains.shared import Conflict


class OrderRepository:
    """Orders in PostgreSQL; ``track`` hands every loaded or added order to the unit of work."""

    def __init__(self, session: AsyncSession, track: Callable[[Order], None]) -> None:
        self._session = session
        self._track = track
        self._stored_versions: dict[uuid.UUID, int] = {}

    async def add(self, order: Order) -> None:
        """Insert a new order and its lines."""
        await self._session.execute(
            insert(orders).values(
                id=order.id,
                customer_id=order.customer_id,
                status=order.status.value,
                currency=order.currency,
                total_minor=order.total_minor,
                version=order.version,
                placed_at=order.placed_at,
                updated_at=order.updated_at or order.placed_at,
            )
        )
        await self._session.execute(
            insert(order_lines),
            [
                {"order_id": order.id, "line_no": no, **vars(line)}
                for no, line in enumerate(order.lines, start=1)
            ],
        )
        self._stored_versions[order.id] = order.version
        self._track(order)

    async def get(self, order_id: uuid.UUID) -> Order | None:
        """The order with ``order_id``, or None."""
        row = (await self._session.execute(select(orders).where(orders.c.id == order_id))).first()
        if row is None:
            return None
        lines = await self._session.execute(
            select(order_lines).where(order_lines.c.order_id == order_id).order_by("line_no")
        )
        order = Order(
            id=row.id,
            customer_id=row.customer_id,
            currency=row.currency,
            lines=tuple(OrderLine(r.sku, r.quantity, r.unit_price_minor) for r in lines),
            status=OrderStatus(row.status),
            placed_at=row.placed_at,
            version=row.version,
            updated_at=row.updated_at,
        )
        self._stored_versions[order.id] = order.version
        self._track(order)
        return order

    def attach(self, order: Order) -> None:
        """Adopt an order read in an earlier transaction; ``save`` checks its version."""
        self._stored_versions[order.id] = order.version
        self._track(order)

    async def save(self, order: Order) -> None:
        """Write the order's new status, if nobody changed it since it was read.

        Raises ``Conflict(code="concurrent_update")`` when the stored version moved on.
        """
        expected = self._stored_versions[order.id]
        if order.version == expected:
            return
        result = await self._session.execute(
            update(orders)
            .where(orders.c.id == order.id, orders.c.version == expected)
            .values(status=order.status.value, version=order.version, updated_at=order.updated_at)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(
                f"order {order.id} was changed concurrently; reload and retry",
                code="concurrent_update",
            )
        self._stored_versions[order.id] = order.version
