"""Admin routes of the orders domain: refunds and the streamed orders report."""

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from domains.identity.api import Principal
from domains.orders.authorization import ensure_admin
from domains.orders.http.models import OrderOut, PrincipalDependency, RefundIn, problems
from domains.orders.refunds import refund_order
from domains.orders.report import orders_csv
from domains.orders.wiring import OrdersServices


def build_admin_router(services: OrdersServices, principal: PrincipalDependency) -> APIRouter:
    """``/v1/admin/orders/{id}/refund`` and ``/v1/admin/reports/orders.csv``."""
    router = APIRouter(prefix="/v1/admin", tags=["admin"])

    @router.post(
        "/orders/{order_id}/refund",
        response_model=OrderOut,
        responses=problems(
            401,
            403,
            404,
            409,
            422,
            503,
            _409="not_shipped_yet (cancel it instead), illegal_transition (not paid, or "
            "already refunded) or not_refundable",
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
            **problems(401, 403, 422),
        },
    )
    async def orders_report(
        caller: Annotated[Principal, Depends(principal)],
        placed_from: Annotated[datetime | None, Query(description="Inclusive")] = None,
        placed_to: Annotated[datetime | None, Query(description="Exclusive")] = None,
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
