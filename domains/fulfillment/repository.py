"""Load and store shipments (version-checked updates)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domains.fulfillment.model import Shipment, ShipmentStatus
from domains.fulfillment.tables import shipments
from domains.shared import Conflict

_FIELDS = ("id", "order_id", "version", "carrier", "tracking_number", "shipped_at",
           "delivered_at")  # fmt: skip


async def insert_if_absent(session: AsyncSession, shipment: Shipment) -> bool:
    """Insert ``shipment`` unless its order has one; True when inserted."""
    inserted = await session.scalar(
        insert(shipments)
        .values(status=shipment.status.value, **{f: getattr(shipment, f) for f in _FIELDS})
        .on_conflict_do_nothing(index_elements=["order_id"])
        .returning(shipments.c.id)
    )
    return inserted is not None


async def find(
    session: AsyncSession,
    *,
    shipment_id: uuid.UUID | None = None,
    order_id: uuid.UUID | None = None,
) -> Shipment | None:
    """The shipment by id or by order, or None."""
    query = select(shipments)
    if shipment_id is not None:
        query = query.where(shipments.c.id == shipment_id)
    if order_id is not None:
        query = query.where(shipments.c.order_id == order_id)
    row = (await session.execute(query)).first()
    if row is None:
        return None
    m = row._mapping
    return Shipment(status=ShipmentStatus(m["status"]), **{f: m[f] for f in _FIELDS})


async def save(session: AsyncSession, before: Shipment, after: Shipment) -> None:
    """Write ``after`` if the stored shipment is still at ``before.version``."""
    result = await session.execute(
        update(shipments)
        .where(shipments.c.id == before.id, shipments.c.version == before.version)
        .values(
            status=after.status.value,
            updated_at=func.now(),
            **{f: getattr(after, f) for f in _FIELDS if f not in ("id", "order_id")},
        )
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            f"shipment {before.id} was changed concurrently; reload and retry",
            code="concurrent_update",
        )


async def in_status(session: AsyncSession, status: ShipmentStatus, limit: int) -> list[Shipment]:
    """Up to ``limit`` shipments in ``status``, least recently changed first."""
    query = (
        select(shipments)
        .where(shipments.c.status == status.value)
        .order_by(shipments.c.updated_at, shipments.c.id)
        .limit(limit)
    )
    rows = (await session.execute(query)).mappings()
    return [
        Shipment(status=ShipmentStatus(m["status"]), **{f: m[f] for f in _FIELDS}) for m in rows
    ]
