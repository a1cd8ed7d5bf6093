"""``POST /v1/checkout``: Idempotency-Key required; answers are stored and replayed."""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Header
from fastapi.responses import JSONResponse

from domains.identity.api import Principal
from domains.orders.checkout import Checkout, CheckoutService
from domains.orders.http_models import CheckoutIn, OrderOut, PendingOrderOut, Problem, problems
from domains.shared import DomainError, InvalidInput

PROBLEM = "application/problem+json"
MAX_KEY = 200


def build_checkout_router(
    checkout: CheckoutService, principal: Callable[..., Awaitable[Principal]]
) -> APIRouter:
    """The checkout route."""
    router = APIRouter(tags=["checkout"])

    @router.post(
        "/v1/checkout",
        status_code=201,
        response_model=OrderOut,
        responses={
            202: {"model": PendingOrderOut, "description": "Payment answer pending"},
            **problems(
                400,
                401,
                402,
                404,
                409,
                422,
                503,
                _404="Unknown SKU in the cart (code unknown_sku)",
                _409="out_of_stock, or request_in_progress for a key in use",
                _422="Schema or rule error, or idempotency_key_reused with a different body",
            ),
        },
    )
    async def post_checkout(
        body: CheckoutIn,
        caller: Annotated[Principal, Depends(principal)],
        idempotency_key: Annotated[
            str | None,
            Header(description="Required. Retries with the same key and body get the same answer."),
        ] = None,
    ) -> JSONResponse:
        """Buy the cart: price it, reserve stock, create the order, authorize the payment.

        201 confirmed; 402 declined (order cancelled, stock released); 202 when the provider
        did not answer in time (the order is ``payment_pending`` and reconciliation settles it);
        503 while the payment circuit is open (nothing was created; retry after Retry-After).
        """
        command = Checkout(
            customer_id=caller.user_id,
            idempotency_key=_key(idempotency_key),
            currency=body.currency,
            items=tuple((item.sku, item.quantity) for item in body.items),
            card_token=body.payment.card_token,
        )
        result = await checkout.checkout(command)
        stored = result.response
        response = JSONResponse(
            stored.body,
            status_code=stored.status_code,
            media_type=PROBLEM if stored.status_code >= 400 else None,
        )
        if stored.order_id is not None:
            response.headers["Location"] = f"/v1/orders/{stored.order_id}"
        if result.replayed:
            response.headers["Idempotent-Replayed"] = "true"
        return response

    return router


class MissingIdempotencyKey(DomainError):
    """``POST /v1/checkout`` without an ``Idempotency-Key`` header (HTTP 400)."""

    code = "idempotency_key_missing"


def _key(value: str | None) -> str:
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


__all__ = ["Problem", "build_checkout_router"]
