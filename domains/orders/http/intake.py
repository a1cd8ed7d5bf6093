"""``POST /v1/orders`` and ``GET /v1/order-submissions/{reference}``: upstream services.

Only service clients reach these routes (a person's token is refused by the composition root's
dependency), and only with the route's scope. A submission's stored answer is rendered the same
whether it is fresh or replayed: 201 accepted, a problem with the stable reason when rejected.
"""

# No ``from __future__ import annotations``: FastAPI must see ``Depends(client)``, a closure
# variable, as a real object.
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse

from domains.identity.api import ORDERS_READ, ORDERS_WRITE, ServiceClient
from domains.orders.authorization import ensure_scope
from domains.orders.http.checkout import IDEMPOTENCY_KEY, idempotency_key_of
from domains.orders.http.intake_models import (
    ClientDependency,
    Reference,
    SubmissionOut,
    SubmitOrderIn,
)
from domains.orders.intake.command import Channel, Outcome, SubmissionResult
from domains.orders.intake.keyed import submit_with_key
from domains.orders.intake.reading import get_submission
from domains.orders.wiring import OrdersServices
from domains.shared.problems import problem, problem_responses, status_of


def build_intake_router(services: OrdersServices, client: ClientDependency) -> APIRouter:
    """The intake routes; ``client`` authenticates the calling service."""
    router = APIRouter(tags=["upstream services"])

    @router.post(
        "/v1/orders",
        status_code=201,
        response_model=SubmissionOut,
        responses=problem_responses(
            {
                400: ["idempotency_key_missing"],
                403: ["service_client_required", "insufficient_scope", "price_not_allowed"],
                404: ["unknown_sku"],
                409: ["out_of_stock", "request_in_progress", "external_reference_reused"],
                422: [
                    "idempotency_key_reused",
                    "idempotency_key_too_long",
                    "sku_inactive",
                    "currency_mismatch",
                    "unknown_currency",
                ],
            }
        ),
        # Read by hand (below) so that a missing key is its own 400, documented as required.
        openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    )
    async def submit(
        body: SubmitOrderIn,
        request: Request,
        caller: Annotated[ServiceClient, Depends(client)],
    ) -> JSONResponse:
        """Submit an order as an upstream service.

        Lines are priced from the catalog; SKUs must exist, be active and be priced in the
        currency; stock is reserved. With ``payment.method = external`` the order is
        confirmed, otherwise it waits for payment (``pending``). Every submission gets one
        reply on ``intake.replies.v1``; a retry (same key, or same external_reference) is
        answered from the first and never makes a second order.
        """
        ensure_scope(caller, ORDERS_WRITE)
        key = idempotency_key_of(request.headers.get("idempotency-key"))
        result = await submit_with_key(body.command(caller, Channel.HTTP), key, services.uow())
        response = render(result)
        if result.replayed:
            response.headers["Idempotent-Replayed"] = "true"
        return response

    @router.get(
        "/v1/order-submissions/{external_reference}",
        response_model=SubmissionOut,
        responses=problem_responses(
            {403: ["service_client_required", "insufficient_scope"], 404: ["submission_not_found"]}
        ),
    )
    async def read_submission(
        external_reference: Annotated[Reference, Path()],
        caller: Annotated[ServiceClient, Depends(client)],
    ) -> SubmissionOut:
        """What became of one of your submissions (over HTTP or Kafka)."""
        ensure_scope(caller, ORDERS_READ)
        result = await get_submission(caller.client_id, external_reference, services.uow())
        return SubmissionOut.of(result)

    return router


def render(result: SubmissionResult) -> JSONResponse:
    """201 with the submission when accepted; the rejection as a problem otherwise."""
    if result.outcome is Outcome.REJECTED:
        return problem(
            status_of(result.kind or ""),
            result.reason or "rejected",
            result.detail or "",
            external_reference=result.external_reference,
        )
    response = JSONResponse(SubmissionOut.of(result).model_dump(mode="json"), status_code=201)
    response.headers["Location"] = f"/v1/orders/{result.order_id}"
    return response
