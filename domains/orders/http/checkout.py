"""``POST /v1/checkout``: Idempotency-Key required; answers are stored and replayed.

The checkout service returns a :class:`CheckoutAnswer` (fresh or stored); this module alone
decides how it looks: 201 confirmed, 202 payment pending, 402 declined, expired or abandoned
(the payment never reached the provider), a problem for a refused cart. A replay renders the
stored answer the same way.
"""

# No ``from __future__ import annotations``: FastAPI must see ``Depends(principal)``, a closure
# variable, as a real object.
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from domains.identity.api import Principal
from domains.orders.checkout import Checkout, CheckoutAnswer, CheckoutService
from domains.orders.http.models import CheckoutIn, OrderOut, PendingOrderOut, PrincipalDependency
from domains.orders.settlement import Settlement
from domains.shared import DomainError, InvalidInput
from domains.shared.fields import NOT_BLANK
from domains.shared.problems import problem, problem_responses, status_of

MAX_KEY = 200
PENDING = "The payment provider has not answered yet; the order will be settled shortly."
DECLINED = "The payment was declined; the order is cancelled. Try another payment method."
EXPIRED = "The payment could not be confirmed in time; the order is cancelled."
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": True,
    "description": "Retries with the same key and body within 24 hours get the same answer (e.g. "
    "a UUID; keys are kept ORDERFLOW_CHECKOUT_KEY_RETENTION_DAYS, 7 days).",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY, **NOT_BLANK},
}
ABANDONED = (
    "The checkout stopped before the payment reached the provider: nothing was charged and the "
    "order is cancelled. Check out again with a new Idempotency-Key."
)


def build_checkout_router(checkout: CheckoutService, principal: PrincipalDependency) -> APIRouter:
    """The checkout route."""
    router = APIRouter(tags=["checkout"])

    @router.post(
        "/v1/checkout",
        status_code=201,
        response_model=OrderOut,
        responses={
            202: {"model": PendingOrderOut, "description": "Payment answer pending"},
            **problem_responses(
                {
                    400: ["idempotency_key_missing", "payment_provider_rejected"],
                    402: ["payment_declined", "payment_expired", "payment_abandoned"],
                    404: ["unknown_sku"],
                    409: ["out_of_stock", "request_in_progress", "concurrent_update"],
                    422: [
                        "bad_quantity",  # one SKU's lines add up to more than a line may hold
                        "idempotency_key_reused",
                        "idempotency_key_too_long",
                        "sku_inactive",
                        "currency_mismatch",
                        "unknown_currency",
                    ],
                    503: ["payment_provider_unavailable", "payment_provider_circuit_open"],
                }
            ),
        },
        # Read by hand (below) so that a missing key is its own 400, documented as required.
        openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    )
    async def post_checkout(
        body: CheckoutIn, request: Request, caller: Annotated[Principal, Depends(principal)]
    ) -> JSONResponse:
        """Buy the cart: price it, reserve stock, create the order, authorize the payment.

        201 confirmed; 402 declined (order cancelled, stock released); 202 when the provider
        did not answer in time (the order is ``payment_pending`` and reconciliation settles it);
        503 while the payment circuit is open (nothing was created; retry after Retry-After).
        """
        command = Checkout(
            customer_id=caller.user_id,
            idempotency_key=idempotency_key_of(request.headers.get("idempotency-key")),
            currency=body.currency,
            items=tuple((item.sku, item.quantity) for item in body.items),
            card_token=body.payment.card_token,
        )
        result = await checkout.checkout(command)
        response = render(result.answer)
        if result.replayed:
            response.headers["Idempotent-Replayed"] = "true"
        return response

    return router


def render(answer: CheckoutAnswer) -> JSONResponse:
    """The HTTP response of a checkout answer, with ``Location`` when it names an order."""
    response = _response(answer)
    if answer.order_id is not None:
        response.headers["Location"] = f"/v1/orders/{answer.order_id}"
    return response


def _response(answer: CheckoutAnswer) -> JSONResponse:
    order_id = str(answer.order_id)
    match answer.outcome:
        case Settlement.DECLINED:
            return problem(402, "payment_declined", DECLINED, order_id=order_id)
        case Settlement.EXPIRED:
            return problem(402, "payment_expired", EXPIRED, order_id=order_id)
        case Settlement.ABANDONED:
            return problem(402, "payment_abandoned", ABANDONED, order_id=order_id)
        case Settlement.PAYMENT_PENDING:
            return JSONResponse({**(answer.order or {}), "detail": PENDING}, status_code=202)
    if answer.refusal is not None:
        refusal = answer.refusal
        return problem(status_of(refusal.kind), refusal.code, refusal.message)
    return JSONResponse(answer.order, status_code=201)  # confirmed (or settled meanwhile)


class MissingIdempotencyKey(DomainError):
    """A request that needs an ``Idempotency-Key`` header came without one (HTTP 400)."""

    code = "idempotency_key_missing"


def idempotency_key_of(value: str | None) -> str:
    """The trimmed Idempotency-Key header; 400 when missing, 422 when too long."""
    if value is None or not value.strip():
        raise MissingIdempotencyKey(
            "send an Idempotency-Key header (e.g. a UUID) so retries are safe",
            code="idempotency_key_missing",
        )
    if len(value) > MAX_KEY:
        raise InvalidInput(
            f"Idempotency-Key has at most {MAX_KEY} characters", code="idempotency_key_too_long"
        )
    return value.strip()
