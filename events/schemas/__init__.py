"""Every integration event, per domain and version. Importing this package registers them."""

from events.schemas.orders import OrderLine, OrderPlaced

__all__ = ["OrderLine", "OrderPlaced"]
