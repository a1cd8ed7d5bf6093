"""HTTP routes of the orders domain (mounted by the composition root).

The edge authenticates (``principal`` is the composition root's dependency); the domain
authorizes (whose order is this, who may cancel or refund).
"""

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from domains.identity.api import Principal
from domains.orders.authorization import ensure_may_view, is_staff
from domains.orders.cancellation import cancel_order
from domains.orders.handlers import PlaceOrder, get_order, place_order
from domains.orders.http_admin import build_admin_router
from domains.orders.http_checkout import build_checkout_router
from domains.orders.http_models import OrderOut, PlaceOrderIn, problems
from domains.orders.lines import OrderLine
from domains.orders.unit_of_work import OrdersUnitOfWork
from domains.orders.wiring import OrdersServices
from domains.shared import Forbidden

PrincipalDependency = Callable[..., Awaitable[Principal]]


def build_router(services: OrdersServices, principal: PrincipalDependency) -> APIRouter:
    """Every orders route: ``/v1/orders``, ``/v1/checkout`` and ``/v1/admin/...``."""
    router = APIRouter()
    router.include_router(_orders_router(services.uow, principal))
    router.include_router(build_cancel_route(services, principal))
    router.include_router(build_checkout_router(services.checkout, principal))
    router.include_router(build_admin_router(services, principal))
    return router


def _orders_router(
    uow: Callable[[], OrdersUnitOfWork], principal: PrincipalDependency
) -> APIRouter:
    router = APIRouter(prefix="/v1/orders", tags=["orders"])

    @router.post(
        "",
        status_code=status.HTTP_201_CREATED,
        response_model=OrderOut,
        responses=problems(400, 401, 403, 422),
    )
    async def post_order(
        body: PlaceOrderIn, response: Response, caller: Annotated[Principal, Depends(principal)]
    ) -> OrderOut:
        """Place an order with given prices (upstream services; shoppers use checkout).

        A customer may place orders only for themselves; admins and operators for anyone.
        """
        if body.customer_id != caller.user_id and not is_staff(caller):
            raise Forbidden("you may place orders only for yourself", code="forbidden")
        command = PlaceOrder(
            customer_id=body.customer_id,
            currency=body.currency,
            lines=tuple(OrderLine(**line.model_dump()) for line in body.lines),
        )
        order = await place_order(command, uow())
        response.headers["Location"] = f"/v1/orders/{order.id}"
        return OrderOut.of(order)

    @router.get("/{order_id}", response_model=OrderOut, responses=problems(401, 404))
    async def read_order(
        order_id: uuid.UUID, caller: Annotated[Principal, Depends(principal)]
    ) -> OrderOut:
        """One order: your own, or any order for admins and operators."""
        order = await get_order(order_id, uow())
        ensure_may_view(caller, order)
        return OrderOut.of(order)

    return router


def build_cancel_route(services: OrdersServices, principal: PrincipalDependency) -> APIRouter:
    """``POST /v1/orders/{id}/cancel``."""
    router = APIRouter(prefix="/v1/orders", tags=["orders"])

    @router.post(
        "/{order_id}/cancel",
        response_model=OrderOut,
        responses=problems(401, 403, 404, 409, 503),
    )
    async def cancel(
        order_id: uuid.UUID, caller: Annotated[Principal, Depends(principal)]
    ) -> OrderOut:
        """Cancel your order before it ships; a paid order is refunded in full.

        409 ``illegal_transition`` once shipped (ask for a refund), ``payment_in_progress``
        while the payment is still being confirmed.
        """
        order = await cancel_order(order_id, caller, services.uow, services.provider)
        return OrderOut.of(order)

    return router
