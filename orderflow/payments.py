"""Payments wiring of the composition root: the provider client and the reconciliation job."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.orders import api as orders
from domains.payments import api as payments
from foundation.database import create_sessions
from orderflow.settings import Settings
from orderflow.wiring import database_engine

log = structlog.get_logger("orderflow.payments")


def payment_provider(settings: Settings) -> payments.PaymentProvider:
    """The provider client with its process-wide circuit breaker."""
    breaker = payments.CircuitBreaker(
        failure_threshold=settings.payments.breaker_failures,
        reset_timeout=settings.payments.breaker_reset_seconds,
        on_change=payments.export_breaker_state,
    )
    return payments.PaymentProvider(
        payments.ProviderSettings(
            base_url=settings.payments.provider_url,
            timeout=settings.payments.timeout_seconds,
            attempts=settings.payments.attempts,
            total_budget=settings.payments.budget_seconds,
        ),
        breaker=breaker,
    )


def orders_services(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    provider: payments.PaymentProvider,
) -> orders.OrdersServices:
    """Checkout, cancellation and refunds on ``sessions`` and ``provider``."""
    return orders.OrdersServices.create(
        sessions, provider, settle_within=timedelta(seconds=settings.payments.settle_within_seconds)
    )


async def reconcile_once(
    services: orders.OrdersServices, settings: Settings, *, grace: float | None = None
) -> orders.ReconcileReport:
    """One reconciliation pass."""
    grace_seconds = settings.payments.reconcile_grace_seconds if grace is None else grace
    return await orders.reconcile_payments(
        services.sessions, services.uow, services.provider, grace=timedelta(seconds=grace_seconds)
    )


async def run_reconciliation(settings: Settings, stop: asyncio.Event) -> None:
    """Reconcile payments every ``payment_reconcile_interval_seconds`` until ``stop``."""
    engine = database_engine(settings)
    provider = payment_provider(settings)
    services = orders_services(create_sessions(engine), settings, provider)
    try:
        while not stop.is_set():
            try:
                report = await reconcile_once(services, settings)
                if report.examined:
                    log.info("payments_reconciled", examined=report.examined, **report.results)
            except Exception as exc:
                log.warning("reconciliation_failed", error=repr(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), settings.payments.reconcile_interval_seconds)
    finally:
        await provider.aclose()
        await engine.dispose()
