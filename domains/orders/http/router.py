"""Every orders route: ``/v1/orders``, ``/v1/order-submissions``, ``/v1/checkout`` and
``/v1/admin/...``."""

from __future__ import annotations

from fastapi import APIRouter

from domains.orders.http.admin import build_admin_router
from domains.orders.http.checkout import build_checkout_router
from domains.orders.http.intake import build_intake_router
from domains.orders.http.intake_models import ClientDependency
from domains.orders.http.models import PrincipalDependency
from domains.orders.http.orders import build_orders_router
from domains.orders.wiring import OrdersServices


def build_router(
    services: OrdersServices, principal: PrincipalDependency, client: ClientDependency
) -> APIRouter:
    """The orders routes; ``principal`` authenticates a person, ``client`` a service."""
    router = APIRouter()
    router.include_router(build_intake_router(services, client))
    router.include_router(build_orders_router(services, principal))
    router.include_router(build_checkout_router(services.checkout, principal))
    router.include_router(build_admin_router(services, principal))
    return router
