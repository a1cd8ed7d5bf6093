"""The HTTP edge of the orders domain: routes, bodies, and how checkout answers look.

The services (checkout, cancellation, refunds) return outcomes or raise domain errors; only
this package decides statuses and documents. Mounted by the composition root.
"""

from domains.orders.http.router import build_router

__all__ = ["build_router"]
