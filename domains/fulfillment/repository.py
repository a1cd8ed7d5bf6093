"""Load and store shipments (version-checked updates)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domains.fulfillment.model import Shipment, ShipmentStatus
from domains.fulfillment.tables import shipments
from domains.shared import Aggregate, update_versioned

_FIELDS = ("id", "order_id", "version", "carrier", "tracking_number", "shipped_at",
           "delivered_at")  # fmt: skip


class ShipmentRepository:
    """Shipments in PostgreSQL; ``track`` hands every added or saved one to the unit of work."""

    def __init__(self, session: AsyncSession, track: Callable[[Aggregate], None]) -> None:
        self._session = session
        self._track = track

    async def add_if_absent(self, shipment: Shipment) -> bool:
        """Insert ``shipment`` unless its order has one; True when inserted."""
        inserted = await self._session.scalar(
            insert(shipments)
            .values(status=shipment.status.value, **{f: getattr(shipment, f) for f in _FIELDS})
            .on_conflict_do_nothing(index_elements=["order_id"])
            .returning(shipments.c.id)
        )
        if inserted is None:
            return False
        self._track(shipment)
        return True

    async def find(
        self, *, shipment_id: uuid.UUID | None = None, order_id: uuid.UUID | None = None
    ) -> Shipment | None:
        """The shipment by id or by order, or None."""
        query = select(shipments)
        if shipment_id is not None:
            query = query.where(shipments.c.id == shipment_id)
        if order_id is not None:
            query = query.where(shipments.c.order_id == order_id)
        row = (await self._session.execute(query)).mappings().first()
        return None if row is None else _shipment(row)

    async def save(self, before: Shipment, after: Shipment) -> None:
        """Write ``after`` if the stored shipment is still at ``before.version``."""
        changes = {f: getattr(after, f) for f in _FIELDS if f not in ("id", "order_id")}
        await update_versioned(
            self._session,
            shipments,
            before.id,
            seen=before.version,
            values={"status": after.status.value, "updated_at": func.now(), **changes},
            noun="shipment",
        )
        self._track(after)


def _shipment(m: Any) -> Shipment:
    return Shipment(status=ShipmentStatus(m["status"]), **{f: m[f] for f in _FIELDS})
