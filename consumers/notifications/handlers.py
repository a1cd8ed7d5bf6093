"""Notification handlers: business logic only; the runtime owns dedupe and offsets."""

from __future__ import annotations

from sqlalchemy import insert

from consumers.notifications.tables import notifications
from consumers.runtime import MessageContext
from events.schemas import OrderPlaced


def message_id_for(event_id: object, kind: str) -> str:
    """A stable RFC 5322 Message-ID derived from the event id, so a resend is recognisable."""
    return f"<{kind}.{event_id}@orderflow>"


async def record_order_confirmation(event: OrderPlaced, ctx: MessageContext) -> None:
    """Record the order-confirmation message for ``event``."""
    total = f"{event.total_minor / 100:.2f} {event.currency}"
    await ctx.session.execute(
        insert(notifications).values(
            message_id=message_id_for(ctx.envelope.event_id, "order_confirmation"),
            event_id=ctx.envelope.event_id,
            kind="order_confirmation",
            recipient=f"customer:{event.customer_id}",
            subject=f"Your order {event.order_id} ({total}) is placed",
            order_id=event.order_id,
            correlation_id=ctx.envelope.correlation_id,
        )
    )
