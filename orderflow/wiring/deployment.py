"""What this deployment runs: its consumer groups and their adapters, services and knobs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import events.schemas  # noqa: F401  (registers every event: the topics below)
from consumers import Consumer, RetryPolicy
from consumers.analytics import analytics_consumer
from consumers.fulfillment import CarrierConfig, HttpCarrier, TrackingPolicy, fulfillment_consumer
from consumers.intake import intake_consumer
from consumers.notifications import IdentityDirectory, SmtpConfig, SmtpMailer
from consumers.notifications import notifications_consumer as notifications
from consumers.orders_saga import orders_saga_consumer
from consumers.recommendations import recommendations_consumer
from consumers.runtime import InboxKey, group_topic_names
from consumers.runtime.retention import InboxRetention
from consumers.search import search_consumer
from domains.fulfillment import api as fulfillment_api
from domains.orders import api as orders
from domains.payments import api as payments
from events import registry
from foundation.jobs import Backoff
from orderflow.reset_links import IdentityResetLinks
from orderflow.settings import Settings
from orderflow.wiring.connections import group_id
from orderflow.wiring.identity import identity_settings
from outbox import RelayOptions
from producers import TopicSpec


def relay_options(settings: Settings) -> RelayOptions:
    """The relay's tuning knobs."""
    relay = settings.relay
    return RelayOptions(
        max_record_bytes=relay.max_record_bytes,
        pipeline_depth=relay.pipeline_depth,
        lane_refresh_seconds=relay.lane_refresh_seconds,
        max_backoff_seconds=relay.max_backoff_seconds,
        retention=timedelta(hours=relay.retention_hours),
        cleanup_interval_seconds=relay.cleanup_interval_seconds,
        cleanup_batch_size=relay.cleanup_batch_size,
        gauge_interval_seconds=relay.gauge_interval_seconds,
    )


def retry_policy(settings: Settings) -> RetryPolicy:
    """Retry tiers and quick attempts of every consumer group."""
    return RetryPolicy(
        tier_delays=tuple(settings.consumers.retry_delays_seconds),
        quick_attempts=settings.consumers.quick_attempts,
        batch_size=settings.consumers.batch_size,
        stop_grace_seconds=settings.consumers.stop_grace_seconds,
    )


def job_backoff(settings: Settings) -> Backoff:
    """How a failing background job backs off: from 1 s up to the configured maximum."""
    longest = settings.jobs.backoff_max_seconds
    return Backoff(initial_seconds=min(1.0, longest), max_seconds=longest)


def inbox_retention(settings: Settings) -> InboxRetention:
    """How long the consumers' inbox rows are kept, and the pace of the sweep."""
    backoff = job_backoff(settings)
    return InboxRetention(
        keep=timedelta(days=settings.consumers.inbox_retention_days),
        batch_size=settings.consumers.inbox_sweep_batch_size,
        interval_seconds=settings.consumers.inbox_sweep_interval_seconds,
        backoff_seconds=backoff.initial_seconds,
        backoff_max_seconds=backoff.max_seconds,
    )


def smtp_mailer(settings: Settings) -> SmtpMailer:
    """The SMTP client of the notifications consumer."""
    smtp = settings.smtp
    return SmtpMailer(
        SmtpConfig(
            host=smtp.host,
            port=smtp.port,
            sender=smtp.sender,
            use_tls=smtp.use_tls,
            start_tls=smtp.start_tls,
            username=smtp.username,
            password=smtp.password.get_secret_value() if smtp.password else None,
            timeout_seconds=smtp.timeout_seconds,
        )
    )


def reset_links(settings: Settings) -> IdentityResetLinks:
    """Password-reset links for the notifications consumer, from the identity domain."""
    return IdentityResetLinks(
        lambda: identity_settings(settings),
        settings.identity.password_reset_url,
    )


def carrier(settings: Settings) -> HttpCarrier:
    """The parcel carrier's client."""
    fulfillment = settings.fulfillment
    return HttpCarrier(
        CarrierConfig(
            base_url=fulfillment.carrier_url, timeout_seconds=fulfillment.carrier_timeout_seconds
        )
    )


def tracking_policy(settings: Settings) -> TrackingPolicy:
    """How delivery tracking asks the carrier: calls at a time, the wait for unknown parcels."""
    fulfillment = settings.fulfillment
    return TrackingPolicy(
        concurrency=fulfillment.delivery_tracking_concurrency,
        unknown_backoff=fulfillment_api.UnknownParcelBackoff(
            initial_seconds=fulfillment.delivery_tracking_unknown_backoff_seconds,
            max_seconds=fulfillment.delivery_tracking_unknown_backoff_max_seconds,
        ),
    )


def payment_provider(settings: Settings) -> payments.PaymentProvider:
    """The payment provider's client with its process-wide circuit breaker."""
    config = settings.payments
    breaker = payments.CircuitBreaker(
        failure_threshold=config.breaker_failures,
        reset_timeout=config.breaker_reset_seconds,
        on_change=payments.export_breaker_state,
    )
    return payments.PaymentProvider(
        payments.ProviderSettings(
            base_url=config.provider_url,
            timeout=config.timeout_seconds,
            attempts=config.attempts,
            total_budget=config.budget_seconds,
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
        sessions,
        provider,
        settle_within=timedelta(seconds=settings.payments.settle_within_seconds),
        start_within=timedelta(seconds=settings.payments.start_within_seconds),
    )


def deployed_consumers(settings: Settings) -> dict[str, Consumer]:
    """The consumer groups of this deployment, by logical name, as :func:`in_deployment` runs
    them."""
    groups = (
        notifications(smtp_mailer(settings), IdentityDirectory(), reset_links(settings)),
        search_consumer(),
        fulfillment_consumer(carrier(settings)),
        orders_saga_consumer(payment_provider(settings)),
        analytics_consumer(),
        recommendations_consumer(),
        intake_consumer(),
    )
    return {c.name: in_deployment(settings, c) for c in groups}


def deployed_inbox_keys(settings: Settings) -> dict[str, InboxKey]:
    """The ``Consumer.inbox_key`` of each deployed group that has one, by its group id as its
    dead letters record it: the dead-letter tooling then predicts "already processed" by the id
    that group's inbox holds, not by the event id."""
    return {
        consumer.name: consumer.inbox_key
        for consumer in deployed_consumers(settings).values()
        if consumer.inbox_key is not None
    }


def in_deployment(settings: Settings, consumer: Consumer) -> Consumer:
    """``consumer`` in this deployment's namespace: its group id (and so its retry and DLQ
    topics) and the topics it reads carry the deployment's prefixes."""
    namespace = settings.deployment.namespace()
    topics = tuple(namespace.topic(t) for t in consumer.topics)
    return replace(consumer, name=group_id(settings, consumer.name), topics=topics)


def topic_specs(settings: Settings, consumers: Iterable[Consumer]) -> list[TopicSpec]:
    """Every topic the deployment publishes to, in its namespace: the event topics, and the
    retry tiers and DLQs of ``consumers`` (whose group ids are in the namespace already)."""
    tiers = len(settings.consumers.retry_delays_seconds)
    namespace = settings.deployment.namespace()
    owned = {t for c in consumers for t in group_topic_names(c.name, tiers)}
    events = {namespace.topic(t) for t in registry.topics()}
    kafka = settings.kafka
    return [
        TopicSpec(name, kafka.topic_partitions, kafka.topic_replication)
        for name in sorted(events | owned)
    ]
