"""The payments unit of work: the intent repository plus the event mapping."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domains.payments.publishing import to_integration_event
from domains.payments.repository import IntentRepository
from domains.shared import UnitOfWork
from events import IntegrationEvent


class PaymentsUnitOfWork(UnitOfWork):
    """One transaction over the ``payments`` schema and the outbox.

    Orders' checkout, settlement and refunds call payments inside their own transaction, so
    the handlers use ``PaymentsUnitOfWork.joining(session)``.
    """

    intents: IntentRepository

    def _open_repositories(self, session: AsyncSession) -> None:
        self.intents = IntentRepository(session, self.track)

    def to_integration_event(self, event: object) -> tuple[IntegrationEvent, int]:
        """Map payment domain events to the published ones."""
        return to_integration_event(event)
