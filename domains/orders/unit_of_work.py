"""The orders unit of work: orders, upstream submissions, and the event mapping."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domains.orders.intake.repository import SubmissionRepository
from domains.orders.publishing import to_integration_event
from domains.orders.repository import OrderRepository
from domains.shared import UnitOfWork
from events import IntegrationEvent


class OrdersUnitOfWork(UnitOfWork):
    """One transaction over the ``orders`` schema and the outbox.

    Other domains' ``api`` functions may join the transaction through ``session``.
    """

    orders: OrderRepository
    submissions: SubmissionRepository

    def _open_repositories(self, session: AsyncSession) -> None:
        self.orders = OrderRepository(session, self.track)
        self.submissions = SubmissionRepository(session, self.track)

    async def _save_changes(self) -> None:
        """Save every changed order, version-checked, and every new submission."""
        for order in self.orders.seen():
            await self.orders.save(order)
        await self.submissions.save_new()

    def to_integration_event(self, event: object) -> tuple[IntegrationEvent, int]:
        """Map the order's domain events to the published ones."""
        return to_integration_event(event)
