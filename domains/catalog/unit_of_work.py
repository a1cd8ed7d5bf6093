"""The catalog unit of work: product, stock and reservation repositories plus the event mapping."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domains.catalog.publishing import to_integration_event
from domains.catalog.repository import ProductRepository
from domains.catalog.stock_repository import ReservationRepository, StockRepository
from domains.shared import UnitOfWork
from events import IntegrationEvent


class CatalogUnitOfWork(UnitOfWork):
    """One transaction over the ``catalog`` schema and the outbox."""

    products: ProductRepository
    stock: StockRepository
    reservations: ReservationRepository

    def _open_repositories(self, session: AsyncSession) -> None:
        self.products = ProductRepository(session, self.track)
        self.stock = StockRepository(session, self.track)
        self.reservations = ReservationRepository(session, self.track)

    def to_integration_event(self, event: object) -> tuple[IntegrationEvent, int]:
        """Map catalog domain events to the published ones."""
        return to_integration_event(event)
