"""The one import surface of the payments domain."""

from domains.payments.breaker import BreakerState, CircuitBreaker
from domains.payments.external import (
    ExternalPayment,
    find_external_payment,
    record_external_payment,
)
from domains.payments.handlers import (
    create_intent,
    ensure_refundable,
    expire_intent,
    get_intent,
    record_authorization,
    record_refund,
    unsettled_intents,
)
from domains.payments.metrics import export_breaker_state
from domains.payments.model import (
    Authorization,
    IntentStatus,
    Outcome,
    PaymentIntent,
    RefundReceipt,
)
from domains.payments.provider import (
    CircuitOpen,
    PaymentProvider,
    ProviderRejected,
    ProviderSettings,
    ProviderUnavailable,
)
from domains.payments.tables import metadata

__all__ = [
    "Authorization",
    "BreakerState",
    "CircuitBreaker",
    "CircuitOpen",
    "ExternalPayment",
    "IntentStatus",
    "Outcome",
    "PaymentIntent",
    "PaymentProvider",
    "ProviderRejected",
    "ProviderSettings",
    "ProviderUnavailable",
    "RefundReceipt",
    "create_intent",
    "ensure_refundable",
    "expire_intent",
    "export_breaker_state",
    "find_external_payment",
    "get_intent",
    "metadata",
    "record_authorization",
    "record_external_payment",
    "record_refund",
    "unsettled_intents",
]
