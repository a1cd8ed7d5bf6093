"""The systems outside: the payment provider, SMTP, the carrier."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class PaymentSettings(BaseSettings):
    """``ORDERFLOW_PAYMENT_*``: the provider, its timeouts and breaker, reconciliation."""

    model_config = SettingsConfigDict(env_prefix="ORDERFLOW_PAYMENT_", extra="ignore")

    provider_url: str = Field(
        default="http://127.0.0.1:8099",
        description="Base URL of the payment provider (`orderflow dev fake-provider`).",
    )
    timeout_seconds: float = Field(default=2.0, gt=0, description="Per call")
    attempts: int = Field(default=3, ge=1, le=10, description="Idempotent calls only")
    budget_seconds: float = Field(default=5.0, gt=0, description="All attempts")
    breaker_failures: int = Field(default=5, ge=1, description="Consecutive, to open")
    breaker_reset_seconds: float = Field(default=10.0, gt=0, description="Open → probe")
    settle_within_seconds: float = Field(
        default=900.0, gt=0, description="Unanswered payments are given up after this"
    )
    start_within_seconds: float = Field(
        default=15.0,
        gt=0,
        description="A checkout calls the provider only this soon after it began placing its "
        "order; a stalled one leaves the payment to reconciliation (202)",
    )
    reconcile_interval_seconds: float = Field(default=15.0, gt=0)
    reconcile_grace_seconds: float = Field(
        default=30.0,
        ge=0,
        description="Leave younger payments to their checkout (never less than start_within "
        "plus the budget and one timeout: then a key the provider never saw is abandoned)",
    )


class CheckoutSettings(BaseSettings):
    """``ORDERFLOW_CHECKOUT_*``: how long checkout Idempotency-Keys are kept, and their sweep."""

    model_config = SettingsConfigDict(env_prefix="ORDERFLOW_CHECKOUT_", extra="ignore")

    key_retention_days: float = Field(
        default=7.0,
        ge=1.0,
        description="How long a completed checkout Idempotency-Key answers retries; never less "
        "than the day clients are promised (a retry after it would place a second order).",
    )
    key_sweep_interval_seconds: float = Field(default=300.0, gt=0)
    key_sweep_batch_size: int = Field(default=5_000, ge=1)


class SmtpSettings(BaseSettings):
    """``ORDERFLOW_SMTP_*``: the mail server the notifications consumer sends through."""

    model_config = SettingsConfigDict(env_prefix="ORDERFLOW_SMTP_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 1025
    # `from` is a keyword: the field is `sender`, its variable stays ORDERFLOW_SMTP_FROM (and
    # no ORDERFLOW_SMTP_SENDER appears: the alias is the field's only name outside the code).
    sender: str = Field(
        default="orderflow <no-reply@orderflow.example>", validation_alias="ORDERFLOW_SMTP_FROM"
    )
    use_tls: bool = Field(default=False, description="Implicit TLS (port 465 style).")
    start_tls: bool | None = Field(
        default=None, description="STARTTLS: true forces it, false never, unset when offered."
    )
    username: str | None = None
    password: SecretStr | None = None
    timeout_seconds: float = Field(default=10.0, gt=0)


class FulfillmentSettings(BaseSettings):
    """``ORDERFLOW_CARRIER_URL``, ``ORDERFLOW_CARRIER_TIMEOUT_SECONDS``, delivery tracking
    (``ORDERFLOW_DELIVERY_TRACKING_*``)."""

    model_config = SettingsConfigDict(env_prefix="ORDERFLOW_", extra="ignore")

    carrier_url: str = Field(
        default="http://127.0.0.1:8097",
        description="Base URL of the parcel carrier (`orderflow dev fake-carrier`).",
    )
    carrier_timeout_seconds: float = Field(default=5.0, gt=0, description="Per call")
    delivery_tracking_interval_seconds: float = Field(
        default=10.0, gt=0, description="How often shipped parcels are checked for delivery"
    )
    delivery_tracking_concurrency: int = Field(
        default=4, gt=0, le=64, description="Carrier calls delivery tracking makes at a time"
    )
    delivery_tracking_unknown_backoff_seconds: float = Field(
        default=60.0,
        gt=0,
        description="Wait before asking again about a parcel the carrier does not know "
        "(doubling with each such answer in a row)",
    )
    delivery_tracking_unknown_backoff_max_seconds: float = Field(
        default=3600.0, gt=0, description="The longest such wait"
    )
