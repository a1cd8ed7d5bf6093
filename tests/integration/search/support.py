"""Building catalog and order events for search tests, at the aggregate version a test picks."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.search import LIVE
from events import IntegrationEvent, KafkaRecord, new_envelope
from events.codec import encode_record
from events.schemas.catalog import PriceChanged, ProductCreated, ProductUpdated

NOW = datetime.now(UTC)


def record(event: IntegrationEvent, version: int) -> KafkaRecord:
    """``event`` as the relay would publish it at aggregate ``version``."""
    return encode_record(new_envelope(event, aggregate_version=version))


def created(
    product_id: uuid.UUID, name: str, description: str = "", price: int = 1000
) -> ProductCreated:
    """A ProductCreated (always aggregate version 1)."""
    return ProductCreated(
        product_id=product_id,
        sku=f"SKU-{product_id.hex[:8]}",
        name=name,
        description=description,
        price_minor=price,
        currency="EUR",
        active=True,
        created_at=NOW,
    )


def updated(product_id: uuid.UUID, name: str, *, active: bool = True) -> ProductUpdated:
    """A ProductUpdated renaming the product."""
    return ProductUpdated(
        product_id=product_id,
        sku=f"SKU-{product_id.hex[:8]}",
        name=name,
        description="",
        active=active,
        updated_at=NOW,
    )


def repriced(product_id: uuid.UUID, price: int) -> PriceChanged:
    """A PriceChanged to ``price`` EUR cents."""
    return PriceChanged(
        product_id=product_id,
        sku=f"SKU-{product_id.hex[:8]}",
        old_price_minor=0,
        old_currency="EUR",
        price_minor=price,
        currency="EUR",
        changed_at=NOW,
    )


async def index(
    sessions: async_sessionmaker[AsyncSession], *events: tuple[IntegrationEvent, int]
) -> None:
    """Apply (event, version) pairs to the live index directly, in one transaction."""
    async with sessions.begin() as session:
        for event, version in events:
            await LIVE.apply(session, event, version)
