"""Events of the orders domain, published to ``orders.order.v1``."""

from events.schemas.orders.order_placed import OrderLine, OrderPlaced

__all__ = ["OrderLine", "OrderPlaced"]
