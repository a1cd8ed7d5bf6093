"""The notifications consumer group and what it subscribes to."""

from consumers.notifications.handlers import record_order_confirmation
from consumers.runtime import Consumer
from events.schemas import OrderPlaced

notifications_consumer = Consumer(
    name="notifications",
    topics=("orders.order.v1",),
    handlers={OrderPlaced: record_order_confirmation},
)
