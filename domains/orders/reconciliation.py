"""Reconciliation: settle orders whose payment answer never arrived.

For every payment intent still ``pending`` after a grace period (so in-flight checkouts are
left alone), ask the provider what it decided for the intent's idempotency key:
authorized → confirm; declined → cancel and release; the provider says it never saw the key →
the checkout stopped before its call reached the provider (a process killed, the provider
refusing the call unrecorded): nothing was charged, so cancel and release at once
(``abandoned``); the provider unreachable → wait until the intent's ``settle_by`` deadline,
then cancel and release (``expired``). No order stays ``payment_pending`` forever, and nothing
is charged twice (the provider dedupes by key; we only look up, never re-charge).

"Never saw the key" is final only once no checkout can still reach the provider with it: a
checkout starts its call at most ``start_within`` after placing the order and gives up after
the provider budget (:meth:`CheckoutService.reachable_for`), so the grace is never shorter than
that window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.orders.metrics import RECONCILED
from domains.orders.settlement import Settlement, settle_order
from domains.orders.unit_of_work import OrdersUnitOfWork
from domains.payments import api as payments
from domains.shared import DomainError

log = structlog.get_logger("orderflow.reconciliation")


@dataclass
class ReconcileReport:
    """What one reconciliation pass did, per settlement."""

    examined: int = 0
    results: dict[str, int] = field(default_factory=dict)

    def count(self, result: str) -> None:
        """Count one intent's result."""
        self.results[result] = self.results.get(result, 0) + 1
        RECONCILED.labels(result).inc()


async def reconcile_payments(
    sessions: async_sessionmaker[AsyncSession],
    uow: Callable[[], OrdersUnitOfWork],
    provider: payments.PaymentProvider,
    *,
    grace: timedelta = timedelta(seconds=30),
    reachable_for: timedelta = timedelta(seconds=23),
    limit: int = 100,
    now: datetime | None = None,
) -> ReconcileReport:
    """One pass over the unsettled payments older than ``grace`` (at least ``reachable_for``,
    the longest a checkout may still reach the provider), at most ``limit``, oldest first."""
    moment = now or datetime.now(UTC)
    async with sessions() as session:
        intents = await payments.unsettled_intents(
            session, created_before=moment - max(grace, reachable_for), limit=limit
        )
    report = ReconcileReport(examined=len(intents))
    for intent in intents:
        report.count(await _reconcile_one(uow, provider, intent, moment))
    return report


async def _reconcile_one(
    uow: Callable[[], OrdersUnitOfWork],
    provider: payments.PaymentProvider,
    intent: payments.PaymentIntent,
    now: datetime,
) -> str:
    unseen = False
    try:
        answer = await provider.lookup(intent.idempotency_key)
        unseen = answer is None  # the provider answered: it never saw this key
    except payments.ProviderUnavailable:
        answer = None
    overdue = now >= intent.settle_by
    if answer is None and not (overdue or unseen):
        return "still_pending"
    try:
        settlement, _ = await settle_order(
            uow(), intent.order_id, answer, give_up=overdue, never_reached_provider=unseen
        )
    except DomainError as error:  # a concurrent checkout settled it first
        log.info("reconcile_skipped", order_id=str(intent.order_id), code=error.code)
        return "skipped"
    log.info("reconciled", order_id=str(intent.order_id), settlement=settlement.value)
    return settlement.value


__all__ = ["ReconcileReport", "Settlement", "reconcile_payments"]
