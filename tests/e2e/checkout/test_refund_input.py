"""A refund whose reason cannot be stored is refused before the provider is asked: the money
never goes back while the request fails (it used to: a NUL in the reason, a 500 after the
provider refunded)."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from devtools.fakes.payment_provider import ProviderState
from tests.support.shop import Shopper, cart, key, new_product


@pytest.mark.parametrize(
    ("reason", "status", "code"),
    [
        ("damaged\x00in transit", 422, "invalid_character"),
        ("   \t ", 422, "bad_reason"),
        ("x" * 201, 422, "validation_error"),
    ],
)
async def test_a_bad_refund_reason_is_refused_before_the_provider_refunds(
    alice: Shopper,
    admin: Shopper,
    sessions: async_sessionmaker[AsyncSession],
    provider: tuple[ProviderState, str],
    reason: str,
    status: int,
    code: str,
) -> None:
    sku = await new_product(sessions, stock=3)
    paid = await alice.client.post("/v1/checkout", json=cart(sku), headers=key())
    assert paid.status_code == 201, paid.text
    order_id = paid.json()["order_id"]
    refunds_before = len(provider[0].refunds)

    refused = await admin.client.post(
        f"/v1/admin/orders/{order_id}/refund", json={"reason": reason}
    )
    order = await alice.client.get(f"/v1/orders/{order_id}")

    assert (refused.status_code, refused.json()["code"]) == (status, code)
    assert len(provider[0].refunds) == refunds_before  # no money moved
    assert order.json()["status"] == "confirmed"
