"""The fulfillment unit of work: the shipment repository plus the event mapping."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domains.fulfillment.call_repository import CarrierCallRepository
from domains.fulfillment.publishing import to_integration_event
from domains.fulfillment.repository import ShipmentRepository
from domains.fulfillment.tracking_repository import TrackingRepository
from domains.shared import UnitOfWork
from events import IntegrationEvent


class FulfillmentUnitOfWork(UnitOfWork):
    """One transaction over the ``fulfillment`` schema (shipments, carrier calls, tracking
    bookkeeping) and the outbox.

    The fulfillment consumer calls the handlers inside its batch transaction, so they use
    ``FulfillmentUnitOfWork.joining(session)``.
    """

    shipments: ShipmentRepository
    calls: CarrierCallRepository
    tracking: TrackingRepository

    def _open_repositories(self, session: AsyncSession) -> None:
        self.shipments = ShipmentRepository(session, self.track)
        self.calls = CarrierCallRepository(session)
        self.tracking = TrackingRepository(session)

    def to_integration_event(self, event: object) -> tuple[IntegrationEvent, int] | None:
        """Map shipment domain events to the published ones (milestones only)."""
        return to_integration_event(event)
