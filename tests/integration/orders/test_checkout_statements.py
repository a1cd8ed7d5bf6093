"""Checkout's statements to PostgreSQL, counted on the real database.

Every statement is a round trip on the critical path (each transaction adds its BEGIN and
COMMIT, and the pool its ping): the count is part of checkout's design, so a new statement on
that path is a decision someone makes, not an accident nobody sees.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from devtools.fakes.payment_provider import ProviderState, create_provider_app
from domains.catalog.api import CatalogUnitOfWork, CreateProduct, create_product
from domains.orders.api import Checkout, OrdersServices
from domains.payments import api as payments
from tests.support.processes import serving

Sessions = async_sessionmaker[AsyncSession]

# Quote + reservation + stock + items; claim + order + lines; intent; outbox rows.
PLACE = 4
# Authorization; reservation settled with its stock; order with its stored answer; outbox rows.
SETTLE = 4


@pytest.fixture
async def provider() -> AsyncIterator[payments.PaymentProvider]:
    async with serving(create_provider_app(ProviderState())) as url:
        client = payments.PaymentProvider(payments.ProviderSettings(base_url=url))
        try:
            yield client
        finally:
            await client.aclose()


async def test_a_confirmed_checkout_is_four_statements_then_four(
    engine: AsyncEngine, sessions: Sessions, provider: payments.PaymentProvider
) -> None:
    sku = f"ROUND-{uuid.uuid4().hex[:8]}"
    product = CreateProduct(sku, "Mug", "", 900, "EUR", initial_stock=5)
    await create_product(product, CatalogUnitOfWork(sessions))
    services = OrdersServices.create(sessions, provider)
    command = Checkout(uuid.uuid4(), "key-1", "EUR", ((sku, 2),), "tok_visa")
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        result = await services.checkout.checkout(command)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)

    assert result.answer.outcome == "confirmed", result.answer
    assert len(statements) == PLACE + SETTLE, "\n".join(statements)
    assert await _stock(sessions, sku) == (3, 0)
    outbox_inserts = [s for s in statements if s.lstrip().startswith("INSERT INTO outbox.")]
    assert len(outbox_inserts) == 2  # one per transaction, every domain's rows together


async def _stock(sessions: Sessions, sku: str) -> tuple[int, int]:
    async with sessions() as session:
        row = (
            await session.execute(
                text("SELECT available, reserved FROM catalog.stock_levels WHERE sku = :sku"),
                {"sku": sku},
            )
        ).one()
    return row.available, row.reserved
