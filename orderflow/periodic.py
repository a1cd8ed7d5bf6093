"""The background jobs: payment reconciliation, delivery tracking, retention sweeps (the inbox's,
the checkout keys' and the intake keys').

``orderflow jobs`` runs them (``orderflow run`` too, next to the API, relay and consumers), and
the recommendations' freshness probe. Each repeats until ``stop`` is set; a pass that fails —
for any reason — is logged, counted and run again after a bounded exponential backoff
(:func:`foundation.jobs.run_every`), never fatal.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

import structlog

from consumers.fulfillment import run_delivery_tracking
from consumers.recommendations import run_freshness_probe
from consumers.runtime.retention import run_inbox_retention
from domains.orders import api as orders
from foundation.jobs import run_every
from orderflow.settings import Settings
from orderflow.wiring.connections import database_sessions
from orderflow.wiring.deployment import (
    carrier,
    inbox_retention,
    job_backoff,
    orders_services,
    payment_provider,
    tracking_policy,
)
from orderflow.wiring.pools import DatabasePools
from orderflow.wiring.read_models import recommendations_group

log = structlog.get_logger("orderflow.periodic")


async def reconcile_once(
    services: orders.OrdersServices, settings: Settings, *, grace: float | None = None
) -> orders.ReconcileReport:
    """One reconciliation pass (``grace``: leave younger payments alone, default from settings)."""
    grace_seconds = settings.payments.reconcile_grace_seconds if grace is None else grace
    return await orders.reconcile_payments(
        services.sessions,
        services.uow,
        services.provider,
        grace=timedelta(seconds=grace_seconds),
        reachable_for=services.checkout.reachable_for,
    )


async def run_reconciliation(settings: Settings, pools: DatabasePools, stop: asyncio.Event) -> None:
    """Reconcile payments every ``ORDERFLOW_PAYMENT_RECONCILE_INTERVAL_SECONDS`` until ``stop``
    (the job ``payments:reconcile``)."""
    provider = payment_provider(settings)
    services = orders_services(database_sessions(settings, pools.background), settings, provider)

    async def one_pass() -> None:
        report = await reconcile_once(services, settings)
        if report.examined:
            log.info("payments_reconciled", examined=report.examined, **report.results)

    try:
        interval = settings.payments.reconcile_interval_seconds
        backoff = job_backoff(settings)
        await run_every("payments:reconcile", one_pass, interval, stop, backoff=backoff)
    finally:
        await provider.aclose()


async def run_tracking(settings: Settings, pools: DatabasePools, stop: asyncio.Event) -> None:
    """Record delivered parcels (``ShipmentDelivered``) until ``stop`` is set (the job
    ``fulfillment:tracking``)."""
    await run_delivery_tracking(
        database_sessions(settings, pools.background),
        carrier(settings),
        stop,
        interval_seconds=settings.fulfillment.delivery_tracking_interval_seconds,
        backoff=job_backoff(settings),
        policy=tracking_policy(settings),
    )


async def run_inbox_sweep(settings: Settings, pools: DatabasePools, stop: asyncio.Event) -> None:
    """Delete expired inbox rows every interval until ``stop`` (the job ``inbox:retention``)."""
    await run_inbox_retention(pools.background, inbox_retention(settings), stop)


async def run_key_sweep(settings: Settings, pools: DatabasePools, stop: asyncio.Event) -> None:
    """Delete expired checkout Idempotency-Keys every interval until ``stop`` (the job
    ``checkout:key-retention``; errors back off, never stop)."""
    sessions = database_sessions(settings, pools.background)
    checkout = settings.checkout
    keep = timedelta(days=checkout.key_retention_days)

    async def sweep() -> None:
        deleted = await orders.delete_expired_keys(sessions, keep, checkout.key_sweep_batch_size)
        if deleted:
            log.info("checkout_keys_deleted", rows=deleted)

    interval, backoff = checkout.key_sweep_interval_seconds, job_backoff(settings)
    await run_every("checkout:key-retention", sweep, interval, stop, backoff=backoff)


async def run_intake_key_sweep(
    settings: Settings, pools: DatabasePools, stop: asyncio.Event
) -> None:
    """Delete expired intake Idempotency-Keys every interval until ``stop`` (the job
    ``intake:key-retention``, at the checkout key sweep's interval and batch size)."""
    sessions = database_sessions(settings, pools.background)
    checkout = settings.checkout

    async def sweep() -> None:
        deleted = await orders.delete_expired_intake_keys(sessions, checkout.key_sweep_batch_size)
        if deleted:
            log.info("intake_keys_deleted", rows=deleted)

    interval, backoff = checkout.key_sweep_interval_seconds, job_backoff(settings)
    await run_every("intake:key-retention", sweep, interval, stop, backoff=backoff)


async def run_recommendation_freshness(
    settings: Settings, pools: DatabasePools, stop: asyncio.Event
) -> None:
    """Measure how far behind the recommendations group is, until ``stop`` is set."""
    group = recommendations_group(settings)
    await run_freshness_probe(
        database_sessions(settings, pools.background),
        settings.kafka.connection(),
        group.name,
        group.topics,
        stop,
        interval_seconds=settings.recommendations.freshness_interval_seconds,
    )


PeriodicJob = Callable[[Settings, DatabasePools, asyncio.Event], Coroutine[Any, Any, None]]

PERIODIC_JOBS: dict[str, tuple[PeriodicJob, str]] = {
    "payments:reconcile": (run_reconciliation, "settles payments the provider left pending"),
    "fulfillment:tracking": (run_tracking, "asks the carrier which parcels arrived"),
    "inbox:retention": (run_inbox_sweep, "deletes inbox rows older than the retention"),
    "checkout:key-retention": (run_key_sweep, "deletes checkout Idempotency-Keys past theirs"),
    "intake:key-retention": (run_intake_key_sweep, "deletes expired intake Idempotency-Keys"),
    "recommendations:freshness": (
        run_recommendation_freshness,
        "measures how far behind the recommendations group is",
    ),
}
"""What ``orderflow jobs`` (and ``orderflow run``, next to the API, relay and consumers) runs:
name → (job, what it does)."""

# The jobs that read the broker (the group's offsets), not only PostgreSQL: they start once
# both answer.
KAFKA_JOBS = frozenset({"recommendations:freshness"})
