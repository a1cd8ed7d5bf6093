"""Checkout outcomes: confirmed, declined, provider timeout then reconciliation, open circuit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from devtools.fakes.payment_provider import Behaviour, ProviderState
from domains.orders.api import ReconcileReport, reconcile_payments
from orderflow.http import create_app
from orderflow.settings import Settings
from orderflow.wiring.deployment import orders_services, payment_provider
from tests.e2e.checkout.checks import order_events, order_status
from tests.support.processes import serving
from tests.support.shop import Shopper, app_settings, available, cart, key, new_product, shopper_at

Sessions = async_sessionmaker[AsyncSession]


async def test_a_paid_checkout_confirms_the_order_and_sells_the_stock(
    alice: Shopper, sessions: Sessions
) -> None:
    sku = await new_product(sessions, stock=5, price_minor=1250)

    response = await alice.client.post("/v1/checkout", json=cart(sku, 2), headers=key())

    assert response.status_code == 201, response.text
    order = response.json()
    assert order["status"] == "confirmed"
    assert order["total_minor"] == 2500
    assert response.headers["location"] == f"/v1/orders/{order['order_id']}"
    assert await available(sessions, sku) == 3
    events = await order_events(sessions, order["order_id"])
    assert events == [
        "orders.OrderPlaced",
        "payments.PaymentAuthorized",
        "orders.OrderConfirmed",
    ]


async def test_a_declined_payment_is_a_402_the_order_cancelled_and_the_stock_back(
    alice: Shopper, sessions: Sessions
) -> None:
    sku = await new_product(sessions, stock=5)

    response = await alice.client.post(
        "/v1/checkout", json=cart(sku, 2, token="tok_decline"), headers=key()
    )

    assert response.status_code == 402
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "payment_declined"
    assert await order_status(sessions, problem["order_id"]) == "cancelled"
    assert await available(sessions, sku) == 5
    assert await order_events(sessions, problem["order_id"]) == [
        "orders.OrderPlaced",
        "payments.PaymentDeclined",
        "orders.OrderCancelled",
    ]


async def test_a_provider_timeout_leaves_the_order_payment_pending_until_reconciled(
    alice: Shopper, sessions: Sessions, settings: Settings, provider: tuple[ProviderState, str]
) -> None:
    sku = await new_product(sessions, stock=5)
    provider[0].behaviour = Behaviour(failure_mode="timeout", hang_seconds=5)

    response = await alice.client.post("/v1/checkout", json=cart(sku), headers=key())

    assert response.status_code == 202, response.text
    pending = response.json()
    assert pending["status"] == "payment_pending"
    assert "detail" in pending
    assert await available(sessions, sku) == 4  # still reserved

    provider[0].behaviour = Behaviour()
    services = orders_services(
        sessions, settings, payment_provider(app_settings(settings, provider[1]))
    )
    report = await reconcile_payments(  # the checkout answered: nothing is in flight any more
        sessions, services.uow, services.provider, grace=timedelta(0), reachable_for=timedelta(0)
    )
    await services.provider.aclose()

    assert report.results.get("confirmed", 0) >= 1
    assert await order_status(sessions, pending["order_id"]) == "confirmed"
    events = await order_events(sessions, pending["order_id"])
    assert events == [
        "orders.OrderPlaced",
        "orders.OrderPaymentPending",
        "payments.PaymentAuthorized",
        "orders.OrderConfirmed",
    ]


async def test_an_unanswered_payment_is_given_up_after_its_deadline(
    alice: Shopper, sessions: Sessions, settings: Settings, provider: tuple[ProviderState, str]
) -> None:
    sku = await new_product(sessions, stock=2)
    provider[0].behaviour = Behaviour(
        failure_mode="error", failing_operations=["authorize", "lookup"]
    )
    response = await alice.client.post("/v1/checkout", json=cart(sku), headers=key())
    assert response.status_code == 202
    order_id = response.json()["order_id"]

    later = datetime.now(UTC) + timedelta(hours=1)  # past the intent's settle_by deadline
    config = app_settings(settings, provider[1])
    services = orders_services(sessions, config, payment_provider(config))
    report = await reconcile_payments(
        sessions, services.uow, services.provider, grace=timedelta(0), now=later
    )
    await services.provider.aclose()

    assert report.results.get("expired", 0) >= 1

    assert await order_status(sessions, order_id) == "cancelled"
    assert await available(sessions, sku) == 2


async def test_a_payment_the_provider_never_received_is_abandoned_without_waiting(
    alice: Shopper, sessions: Sessions, settings: Settings, provider: tuple[ProviderState, str]
) -> None:
    sku = await new_product(sessions, stock=2)
    provider[0].behaviour = Behaviour(failure_mode="error")  # 503s, nothing recorded
    response = await alice.client.post("/v1/checkout", json=cart(sku), headers=key())
    assert response.status_code == 202
    order_id = response.json()["order_id"]
    provider[0].behaviour = Behaviour()  # answers again: it never saw the payment's key

    report = await _reconcile(sessions, settings, provider[1], after=_REACHABLE + timedelta(1))

    assert report.results.get("abandoned", 0) >= 1
    assert await order_status(sessions, order_id) == "cancelled"
    assert await available(sessions, sku) == 2
    assert await order_events(sessions, order_id) == [
        "orders.OrderPlaced",
        "orders.OrderPaymentPending",
        "payments.PaymentDeclined",
        "orders.OrderCancelled",
    ]


async def test_a_payment_is_never_abandoned_while_a_checkout_may_still_reach_the_provider(
    alice: Shopper, sessions: Sessions, settings: Settings, provider: tuple[ProviderState, str]
) -> None:
    sku = await new_product(sessions, stock=2)
    provider[0].behaviour = Behaviour(failure_mode="error", failing_operations=["authorize"])
    response = await alice.client.post("/v1/checkout", json=cart(sku), headers=key())
    order_id = response.json()["order_id"]
    provider[0].behaviour = Behaviour()

    # Even with no grace at all: younger than a checkout's window to the provider.
    await _reconcile(sessions, settings, provider[1], after=_REACHABLE - timedelta(seconds=10))

    assert await order_status(sessions, order_id) == "payment_pending"
    assert await available(sessions, sku) == 1


async def test_an_unanswered_payment_waits_while_the_provider_cannot_be_asked(
    alice: Shopper, sessions: Sessions, settings: Settings, provider: tuple[ProviderState, str]
) -> None:
    sku = await new_product(sessions, stock=2)
    provider[0].behaviour = Behaviour(
        failure_mode="error", failing_operations=["authorize", "lookup"]
    )
    response = await alice.client.post("/v1/checkout", json=cart(sku), headers=key())
    order_id = response.json()["order_id"]

    report = await _reconcile(sessions, settings, provider[1], after=timedelta(minutes=10))

    assert report.results.get("still_pending", 0) >= 1
    assert await order_status(sessions, order_id) == "payment_pending"
    assert await available(sessions, sku) == 1  # still reserved until its settle_by deadline


async def test_while_the_circuit_is_open_checkout_answers_503_fast_and_creates_nothing(
    sessions: Sessions,
    settings: Settings,
    engine: AsyncEngine,
    provider: tuple[ProviderState, str],
) -> None:
    sku = await new_product(sessions, stock=5)
    fragile = app_settings(settings, provider[1], breaker_failures=2, breaker_reset_seconds=60)
    provider[0].behaviour = Behaviour(failure_mode="error")
    async with (
        serving(create_app(engine, settings=fragile)) as url,
        shopper_at(url, sessions, settings) as carol,
    ):
        tripping = await carol.client.post("/v1/checkout", json=cart(sku), headers=key())
        refused = await carol.client.post("/v1/checkout", json=cart(sku), headers=key())

    assert tripping.status_code == 202  # the order that tripped it waits for reconciliation
    assert refused.status_code == 503
    assert refused.json()["code"] == "payment_provider_circuit_open"
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.elapsed.total_seconds() < 0.5
    assert await available(sessions, sku) == 4  # only the first order holds stock


# What a checkout's window to the provider is with the default payment settings.
_REACHABLE = timedelta(seconds=15 + 5 + 2 + 1)


async def _reconcile(
    sessions: Sessions, settings: Settings, provider_url: str, *, after: timedelta
) -> ReconcileReport:
    """One reconciliation pass as if ``after`` had passed, with no grace beyond the checkout's
    own window to the provider."""
    config = settings.updated(payments={"provider_url": provider_url})
    services = orders_services(sessions, config, payment_provider(config))
    assert services.checkout.reachable_for == _REACHABLE
    try:
        return await reconcile_payments(
            sessions,
            services.uow,
            services.provider,
            grace=timedelta(0),
            reachable_for=services.checkout.reachable_for,
            now=datetime.now(UTC) + after,
        )
    finally:
        await services.provider.aclose()
