"""Events of the payments domain, published to ``payments.payment.v1``."""

from events.schemas.payments.payment_events import (
    PaymentAuthorized,
    PaymentDeclined,
    PaymentRefunded,
)

__all__ = ["PaymentAuthorized", "PaymentDeclined", "PaymentRefunded"]
