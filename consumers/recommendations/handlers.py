"""The recommendations consumer's handlers: each order event records its fact."""

from __future__ import annotations

from consumers.recommendations.counting import distinct_skus, record_fact
from consumers.runtime import Handler, MessageContext
from events import IntegrationEvent
from events.schemas.orders import OrderCancelled, OrderConfirmed, OrderPlaced, OrderRefunded


async def order_placed(event: OrderPlaced, ctx: MessageContext) -> None:
    """The order's products."""
    skus = distinct_skus([line.sku for line in event.lines])
    await record_fact(ctx.session, event.order_id, skus=skus)


async def order_confirmed(event: OrderConfirmed, ctx: MessageContext) -> None:
    """The order was paid: its products count as bought together (once its SKUs are known)."""
    await record_fact(ctx.session, event.order_id, confirmed_at=ctx.envelope.time)


async def order_withdrawn(event: OrderCancelled | OrderRefunded, ctx: MessageContext) -> None:
    """The order was cancelled or refunded: its products no longer count."""
    await record_fact(ctx.session, event.order_id, withdrawn_at=ctx.envelope.time)


HANDLERS: dict[type[IntegrationEvent], Handler] = {
    OrderPlaced: order_placed,
    OrderConfirmed: order_confirmed,
    OrderCancelled: order_withdrawn,
    OrderRefunded: order_withdrawn,
}
