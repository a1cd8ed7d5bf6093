"""``/v1/orders/{id}``: read, cancel (placing is ``intake``: upstream services).

The edge authenticates (``principal`` is the composition root's dependency); the domain
authorizes (whose order is this, who may cancel).
"""

# No ``from __future__ import annotations``: FastAPI must see ``Depends(principal)``, a closure
# variable, as a real object.
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from domains.identity.api import Principal
from domains.orders.authorization import ensure_may_view
from domains.orders.cancellation import cancel_order
from domains.orders.handlers import get_order
from domains.orders.http.models import OrderOut, PrincipalDependency
from domains.orders.model import OrderStatus
from domains.orders.wiring import OrdersServices
from domains.shared.problems import problem_responses

CANCEL_ACCEPTED = (
    "A paid order's cancellation is accepted (cancellation_requested): cancelled and refunded "
    "once its parcel is stopped, or rejected if the parcel left first"
)


def build_orders_router(services: OrdersServices, principal: PrincipalDependency) -> APIRouter:
    """``GET /v1/orders/{id}`` and ``POST /v1/orders/{id}/cancel``."""
    router = APIRouter(prefix="/v1/orders", tags=["orders"])

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
