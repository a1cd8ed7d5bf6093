"""The orders unit of work: the order repository plus the event mapping."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domains.orders import events as ev
from domains.orders.repository import OrderRepository
from domains.shared import UnitOfWork
from events import IntegrationEvent
from events.schemas import orders as published


class OrdersUnitOfWork(UnitOfWork):
    """One transaction over the ``orders`` schema and the outbox.

    Other domains' ``api`` functions may join the transaction through ``session``.
    """

    orders: OrderRepository

    def _open_repositories(self, session: AsyncSession) -> None:
        self.orders = OrderRepository(session, self.track)

    async def commit(self) -> None:
        """Save every changed order (version-checked), then write outbox rows and commit."""
        for aggregate in self._seen:
            await self.orders.save(aggregate)  # type: ignore[arg-type]  # only orders are seen
        await super().commit()

    def to_integration_event(self, event: object) -> tuple[IntegrationEvent, int]:
        """Map the order's domain events to the published ones."""
        if not isinstance(event, ev.OrderEvent):
            raise TypeError(f"no integration event for {type(event).__name__}")
        return _published(event), event.version


def _published(event: ev.OrderEvent) -> IntegrationEvent:  # noqa: PLR0911  (one case per type)
    order_id = event.order_id
    match event:
        case ev.OrderPlaced():
            return published.OrderPlaced(
                order_id=order_id,
                customer_id=event.customer_id,
                currency=event.currency,
                lines=tuple(published.OrderLine(**vars(line)) for line in event.lines),
                total_minor=event.total_minor,
                placed_at=event.placed_at,
            )
        case ev.OrderPaymentPending():
            return published.OrderPaymentPending(order_id=order_id)
        case ev.OrderConfirmed():
            return published.OrderConfirmed(
                order_id=order_id,
                payment_reference=event.payment_reference,
                total_minor=event.total_minor,
            )
        case ev.OrderCancelled():
            return published.OrderCancelled(
                order_id=order_id, reason=event.reason, was_paid=event.was_paid
            )
        case ev.OrderRefunded():
            return published.OrderRefunded(
                order_id=order_id, amount_minor=event.amount_minor, reason=event.reason
            )
        case ev.OrderFulfilling():
            return published.OrderFulfilling(order_id=order_id, shipment_id=event.shipment_id)
        case ev.OrderShipped():
            return published.OrderShipped(order_id=order_id, shipment_id=event.shipment_id)
        case ev.OrderDelivered():
            return published.OrderDelivered(order_id=order_id, shipment_id=event.shipment_id)
    raise TypeError(f"no integration event for {type(event).__name__}")
