"""The orders side of the fulfillment saga: orders follow their shipment's milestones."""

from consumers.orders_saga.consumer import GROUP, orders_saga_consumer
from consumers.orders_saga.handlers import follow

__all__ = ["GROUP", "follow", "orders_saga_consumer"]
