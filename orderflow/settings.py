"""Settings read from the environment (prefix ``ORDERFLOW_``).

Connection settings accept TLS/SASL credentials for real clusters; nothing secret has a
default here.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from foundation.kafka import KafkaConnection


class Settings(BaseSettings):
    """Everything the composition root needs to wire the processes together."""

    model_config = SettingsConfigDict(env_prefix="ORDERFLOW_", extra="ignore")

    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:55432/orderflow"
    database_pool_size: int = Field(default=10, ge=1)

    kafka_bootstrap_servers: str = "127.0.0.1:59092"
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_cafile: str | None = None
    kafka_topic_partitions: int = Field(default=3, ge=1)
    kafka_topic_replication: int = Field(default=1, ge=1)

    http_host: str = "127.0.0.1"
    http_port: int = 8000
    relay_metrics_port: int = 9101
    consumer_metrics_port: int = 9102

    consumer_group_prefix: str = Field(
        default="",
        description="Prefix of every consumer group (and so of its retry and dead-letter topics), "
        "to run several isolated deployments on one cluster.",
    )

    consumer_retry_delays_seconds: list[float] = Field(
        default=[5.0, 60.0, 600.0],
        min_length=1,
        description="Delay of each retry tier (<group>.retry.<n>), e.g. [5, 60, 600] "
        "(env: JSON list).",
    )
    consumer_quick_attempts: int = Field(
        default=3, ge=1, description="In-process attempts before a transient failure is tiered."
    )
    consumer_batch_size: int = Field(default=500, ge=1)
    consumer_inbox_retention_days: float = Field(
        default=14.0,
        gt=0,
        description="How long an inbox row (a handled event id) is kept to recognise the event "
        "if it comes again; must outlive the replay window plus every retry tier.",
    )
    consumer_inbox_sweep_interval_seconds: float = Field(default=300.0, gt=0)
    consumer_inbox_sweep_batch_size: int = Field(default=5_000, ge=1)

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_from: str = "orderflow <no-reply@orderflow.example>"
    smtp_use_tls: bool = Field(default=False, description="Implicit TLS (port 465 style).")
    smtp_start_tls: bool | None = Field(
        default=None, description="STARTTLS: true forces it, false never, unset when offered."
    )
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    password_reset_url: str = Field(
        default="http://127.0.0.1:8000/reset-password?token={token}",
        description="Link in password-reset emails; {token} is replaced at send time.",
    )

    relay_batch_size: int = Field(default=500, ge=1)
    relay_poll_interval_seconds: float = Field(default=1.0, gt=0)
    relay_max_record_bytes: int = Field(default=1_000_000, ge=1024)
    relay_pipeline_depth: int = Field(default=2, ge=1, le=8)
    relay_lane_refresh_seconds: float = Field(default=1.0, gt=0)
    relay_max_backoff_seconds: float = Field(default=10.0, gt=0)
    relay_retention_hours: float = Field(default=24.0, ge=0)
    relay_cleanup_interval_seconds: float = Field(default=60.0, gt=0)
    relay_cleanup_batch_size: int = Field(default=5_000, ge=1)
    relay_gauge_interval_seconds: float = Field(default=5.0, gt=0)
    relay_linger_ms: int = Field(default=0, ge=0)  # the relay batches itself; linger adds latency

    dlq_replay_window_days: float = Field(
        default=7.0,
        gt=0,
        description="How long an event can be delivered again: the retention of the event, "
        "retry and dead-letter topics (Kafka's default log.retention.hours, 7 days), within "
        "which a dead letter is replayed or a group re-reads its topics.",
    )
    dlq_max_replays: int = Field(
        default=3,
        ge=1,
        description="Loop guard of `orderflow dlq replay`: a dead letter already replayed this "
        "many times is refused unless --force.",
    )

    jwt_secret: SecretStr | None = Field(
        default=None,
        description="HS256 key for access tokens and reset links (32+ characters). Unset: a "
        "random per-process key, so tokens die with the process. Never commit one.",
    )
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=86_400)
    password_reset_ttl_seconds: int = Field(default=3600, ge=300, le=86_400)

    payment_provider_url: str = Field(
        default="http://127.0.0.1:8099",
        description="Base URL of the payment provider (`orderflow dev fake-provider`).",
    )
    payment_timeout_seconds: float = Field(default=2.0, gt=0, description="Per call")
    payment_attempts: int = Field(default=3, ge=1, le=10, description="Idempotent calls only")
    payment_budget_seconds: float = Field(default=5.0, gt=0, description="All attempts")
    payment_breaker_failures: int = Field(default=5, ge=1, description="Consecutive, to open")
    payment_breaker_reset_seconds: float = Field(default=10.0, gt=0, description="Open → probe")
    payment_settle_within_seconds: float = Field(
        default=900.0, gt=0, description="Unanswered payments are given up after this"
    )
    payment_reconcile_interval_seconds: float = Field(default=30.0, gt=0)
    payment_reconcile_grace_seconds: float = Field(
        default=30.0, ge=0, description="Leave younger payments to their checkout"
    )

    carrier_url: str = Field(
        default="http://127.0.0.1:8097",
        description="Base URL of the parcel carrier (`orderflow dev fake-carrier`).",
    )
    carrier_timeout_seconds: float = Field(default=5.0, gt=0, description="Per call")
    delivery_tracking_interval_seconds: float = Field(
        default=10.0, gt=0, description="How often shipped parcels are checked for delivery"
    )

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console"] = "json"

    @model_validator(mode="after")
    def _inbox_outlives_redeliveries(self) -> Settings:
        """An inbox row deleted while its event can still come again would let it through."""
        keep = self.consumer_inbox_retention_days * 86_400
        redelivery = self.dlq_replay_window_days * 86_400 + sum(self.consumer_retry_delays_seconds)
        if keep <= redelivery:
            raise ValueError(
                f"consumer_inbox_retention_days ({self.consumer_inbox_retention_days:g}) must be "
                f"longer than dlq_replay_window_days ({self.dlq_replay_window_days:g}) plus "
                f"the retry tiers ({sum(self.consumer_retry_delays_seconds):g} s)"
            )
        return self

    def kafka_connection(self) -> KafkaConnection:
        """The Kafka client settings shared by producers, consumers and admin clients."""
        return KafkaConnection(
            bootstrap_servers=self.kafka_bootstrap_servers,
            security_protocol=self.kafka_security_protocol,
            sasl_mechanism=self.kafka_sasl_mechanism,
            sasl_username=self.kafka_sasl_username,
            sasl_password=(
                self.kafka_sasl_password.get_secret_value() if self.kafka_sasl_password else None
            ),
            ssl_cafile=self.kafka_ssl_cafile,
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
