"""The orders unit of work: the order repository plus the event mapping."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domains.orders import model
from domains.orders.repository import OrderRepository
from domains.shared import UnitOfWork
from events import IntegrationEvent
from events.schemas import OrderLine, OrderPlaced


class OrdersUnitOfWork(UnitOfWork):
    """One transaction over the ``orders`` schema and the outbox."""

    orders: OrderRepository

    def _open_repositories(self, session: AsyncSession) -> None:
        self.orders = OrderRepository(session, self.track)

    def to_integration_event(self, event: object) -> tuple[IntegrationEvent, int]:
        """Map the order's domain events to the published ones."""
        if isinstance(event, model.OrderPlaced):
            placed = OrderPlaced(
                order_id=event.order_id,
                customer_id=event.customer_id,
                currency=event.currency,
                lines=tuple(OrderLine(**vars(line)) for line in event.lines),
                total_minor=event.total_minor,
                placed_at=event.placed_at,
            )
            return placed, event.version
        raise TypeError(f"no integration event for {type(event).__name__}")
