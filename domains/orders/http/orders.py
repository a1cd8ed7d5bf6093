"""``/v1/orders``: place (upstream services), read, cancel.

The edge authenticates (``principal`` is the composition root's dependency); the domain
authorizes (whose order is this, who may cancel).
"""

# No ``from __future__ import annotations``: FastAPI must see ``Depends(principal)``, a closure
# variable, as a real object.
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from domains.identity.api import Principal
from domains.orders.authorization import ensure_may_view, is_staff
from domains.orders.cancellation import cancel_order
from domains.orders.handlers import PlaceOrder, get_order, place_order
from domains.orders.http.models import OrderOut, PlaceOrderIn, PrincipalDependency
from domains.orders.lines import OrderLine
from domains.orders.model import OrderStatus
from domains.orders.wiring import OrdersServices
from domains.shared import Forbidden
from domains.shared.problems import problem_responses

CANCEL_ACCEPTED = (
    "A paid order's cancellation is accepted (cancellation_requested): cancelled and refunded "
    "once its parcel is stopped, or rejected if the parcel left first"
)


def build_orders_router(services: OrdersServices, principal: PrincipalDependency) -> APIRouter:
    """``POST /v1/orders``, ``GET /v1/orders/{id}`` and ``POST /v1/orders/{id}/cancel``."""
    router = APIRouter(prefix="/v1/orders", tags=["orders"])

    @router.post(
        "",
        status_code=status.HTTP_201_CREATED,
        response_model=OrderOut,
        responses=problem_responses({403: ["forbidden"], 422: ["unknown_currency"]}),
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
        order = await place_order(command, services.uow())
        response.headers["Location"] = f"/v1/orders/{order.id}"
        return OrderOut.of(order)

    @router.get(
        "/{order_id}",
        response_model=OrderOut,
        responses=problem_responses({404: ["order_not_found"]}),
    )
    async def read_order(
        order_id: uuid.UUID, caller: Annotated[Principal, Depends(principal)]
    ) -> OrderOut:
        """One order: your own, or any order for admins and operators."""
        order = await get_order(order_id, services.uow())
        ensure_may_view(caller, order)
        return OrderOut.of(order)

    @router.post(
        "/{order_id}/cancel",
        response_model=OrderOut,
        responses={
            202: {"model": OrderOut, "description": CANCEL_ACCEPTED},
            **problem_responses(
                {
                    403: ["forbidden"],
                    404: ["order_not_found"],
                    409: [
                        "too_late_to_cancel",
                        "payment_in_progress",
                        "illegal_transition",
                        "concurrent_update",
                    ],
                }
            ),
        },
    )
    async def cancel(
        order_id: uuid.UUID,
        response: Response,
        caller: Annotated[Principal, Depends(principal)],
    ) -> OrderOut:
        """Cancel your order (or any order, as an admin) before its parcel leaves.

        200 with the order ``cancelled``: it was not paid, and its stock is released. 202 with
        the order ``cancellation_requested``: it was paid; fulfillment stops the parcel first,
        then the order becomes ``cancelled`` with a full refund and its stock back, or, if the
        parcel left first, the cancellation is rejected and the order ships (nothing is
        refunded). Asking again answers the same. 409 ``too_late_to_cancel`` once shipped.
        """
        order = await cancel_order(order_id, caller, services.uow)
        if order.status is not OrderStatus.CANCELLED:
            response.status_code = status.HTTP_202_ACCEPTED
        return OrderOut.of(order)

    return router
