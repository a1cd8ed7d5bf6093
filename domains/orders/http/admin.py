"""Admin routes of the orders domain: refunds and the streamed orders report."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from domains.identity.api import Principal
from domains.orders.authorization import ensure_admin
from domains.orders.http.models import OrderOut, PrincipalDependency, RefundIn
from domains.orders.refunds import refund_order
from domains.orders.report import orders_csv
from domains.orders.wiring import OrdersServices
from domains.shared.fields import Timestamp
from domains.shared.problems import problem_responses


def build_admin_router(services: OrdersServices, principal: PrincipalDependency) -> APIRouter:
    """``/v1/admin/orders/{id}/refund`` and ``/v1/admin/reports/orders.csv``."""
    router = APIRouter(prefix="/v1/admin", tags=["admin"])

    @router.post(
        "/orders/{order_id}/refund",
        response_model=OrderOut,
        responses=problem_responses(
            {
                400: ["payment_provider_rejected"],
                403: ["admin_required"],
                404: ["order_not_found", "payment_not_found"],
                409: [
                    "not_shipped_yet",
                    "illegal_transition",
                    "not_refundable",
                    "concurrent_update",
                ],
                422: ["bad_reason"],
                503: ["payment_provider_unavailable", "payment_provider_circuit_open"],
            }
        ),
    )
    async def refund(
        order_id: uuid.UUID, body: RefundIn, caller: Annotated[Principal, Depends(principal)]
    ) -> OrderOut:
        """Refund a shipped or delivered order in full through the payment provider (admins
        only). An order that has not shipped is cancelled instead, which stops its parcel."""
        order = await refund_order(order_id, caller, body.reason, services.uow, services.provider)
        return OrderOut.of(order)

    @router.get(
        "/reports/orders.csv",
        response_class=StreamingResponse,
        responses={
            200: {"content": {"text/csv": {}}, "description": "One CSV line per order"},
            **problem_responses({403: ["admin_required"]}),
        },
    )
    async def orders_report(
        caller: Annotated[Principal, Depends(principal)],
        placed_from: Annotated[Timestamp | None, Query(description="Inclusive")] = None,
        placed_to: Annotated[Timestamp | None, Query(description="Exclusive")] = None,
    ) -> StreamingResponse:
        """Every order as CSV, streamed from a server-side cursor (admins only)."""
        ensure_admin(caller)
        rows = orders_csv(services.sessions, placed_from=placed_from, placed_to=placed_to)
        return StreamingResponse(
            rows,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="orders.csv"'},
        )

    return router
