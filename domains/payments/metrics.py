"""Prometheus metrics of the payment provider adapter."""

from __future__ import annotations

from prometheus_client import Gauge, Histogram

from domains.payments.breaker import GAUGE_VALUE, BreakerState

PROVIDER_CALLS = Histogram(
    "orderflow_payment_provider_call_seconds",
    "Payment provider call latency by operation and outcome",
    ["operation", "outcome"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
BREAKER_STATE = Gauge(
    "orderflow_payment_provider_circuit_state",
    "Circuit breaker state of the payment provider: 0 closed, 1 half-open, 2 open",
)


def export_breaker_state(state: BreakerState) -> None:
    """Breaker callback: publish the new state."""
    BREAKER_STATE.set(GAUGE_VALUE[state])
