"""Settings read from the environment, one model per concern.

Every variable keeps its ``ORDERFLOW_`` name: ``ORDERFLOW_DATABASE_URL`` is
``settings.database.url``, ``ORDERFLOW_RELAY_BATCH_SIZE`` is ``settings.relay.batch_size``,
``ORDERFLOW_JWT_SECRET`` is ``settings.identity.jwt_secret``. Connection settings accept TLS/SASL
credentials for real clusters; nothing secret has a default here.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_settings import BaseSettings

from orderflow.settings.connections import DatabaseSettings, DeploymentSettings, KafkaSettings
from orderflow.settings.identity import IdentitySettings, PreviousKey, Rate, RateLimitSettings
from orderflow.settings.partners import (
    CheckoutSettings,
    FulfillmentSettings,
    PaymentSettings,
    SmtpSettings,
)
from orderflow.settings.processes import (
    ConsumerSettings,
    DeadLetterSettings,
    HttpSettings,
    JobSettings,
    LoggingSettings,
    RelaySettings,
)
from orderflow.settings.read_models import RecommendationSettings


class Settings(BaseModel):
    """Everything the composition root needs to wire the processes together.

    Each section reads its own variables when it is not given: ``Settings(database=...)`` still
    reads ``ORDERFLOW_KAFKA_*`` for ``kafka``. Unknown keywords are refused, not ignored.
    """

    model_config = ConfigDict(extra="forbid")

    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    deployment: DeploymentSettings = Field(default_factory=DeploymentSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    relay: RelaySettings = Field(default_factory=RelaySettings)
    consumers: ConsumerSettings = Field(default_factory=ConsumerSettings)
    dead_letters: DeadLetterSettings = Field(default_factory=DeadLetterSettings)
    identity: IdentitySettings = Field(default_factory=IdentitySettings)
    rate_limits: RateLimitSettings = Field(default_factory=RateLimitSettings)
    payments: PaymentSettings = Field(default_factory=PaymentSettings)
    checkout: CheckoutSettings = Field(default_factory=CheckoutSettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    fulfillment: FulfillmentSettings = Field(default_factory=FulfillmentSettings)
    jobs: JobSettings = Field(default_factory=JobSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    recommendations: RecommendationSettings = Field(default_factory=RecommendationSettings)

    @model_validator(mode="after")
    def _inbox_outlives_redeliveries(self) -> Settings:
        """An inbox row deleted while its event can still come again would let it through."""
        consumers, dead_letters = self.consumers, self.dead_letters
        keep = consumers.inbox_retention_days * 86_400
        tiers = sum(consumers.retry_delays_seconds)
        if keep <= dead_letters.replay_window_days * 86_400 + tiers:
            raise ValueError(
                f"consumers.inbox_retention_days (ORDERFLOW_CONSUMER_INBOX_RETENTION_DAYS="
                f"{consumers.inbox_retention_days:g}) must be longer than "
                f"dead_letters.replay_window_days (ORDERFLOW_DLQ_REPLAY_WINDOW_DAYS="
                f"{dead_letters.replay_window_days:g}) plus the retry tiers ({tiers:g} s)"
            )
        return self

    def updated(self, **sections: Mapping[str, Any]) -> Settings:
        """A copy with fields of some sections replaced, e.g. ``updated(http={"port": 8001})``."""
        changes = {
            name: getattr(self, name).model_copy(update=dict(values))
            for name, values in sections.items()
        }
        return self.model_copy(update=changes)


class InvalidSettings(ValueError):
    """The environment holds settings that cannot work; the message names each variable."""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once; :class:`InvalidSettings` names what is wrong."""
    try:
        return Settings()
    except ValidationError as error:
        raise InvalidSettings(_explain(error)) from None


def _explain(error: ValidationError) -> str:
    """``ORDERFLOW_TOPIC_PREFIX: String should match pattern ...``, one per error."""
    section = next((s for s in _SECTIONS if s.__name__ == error.title), None)
    prefix = str(section.model_config.get("env_prefix", "")) if section else ""
    problems = []
    for detail in error.errors():
        field = ".".join(str(part) for part in detail["loc"])
        message = detail["msg"].removeprefix("Value error, ")  # a validator's own words
        name = (prefix + field).upper() if section else field
        problems.append(f"{name}: {message}" if name else message)
    return "; ".join(problems)


_SECTIONS: tuple[type[BaseSettings], ...] = (
    CheckoutSettings,
    ConsumerSettings,
    DatabaseSettings,
    DeadLetterSettings,
    DeploymentSettings,
    FulfillmentSettings,
    HttpSettings,
    IdentitySettings,
    JobSettings,
    KafkaSettings,
    LoggingSettings,
    PaymentSettings,
    RateLimitSettings,
    RecommendationSettings,
    RelaySettings,
    SmtpSettings,
)

__all__ = [
    "CheckoutSettings",
    "ConsumerSettings",
    "DatabaseSettings",
    "DeadLetterSettings",
    "DeploymentSettings",
    "FulfillmentSettings",
    "HttpSettings",
    "IdentitySettings",
    "InvalidSettings",
    "JobSettings",
    "KafkaSettings",
    "LoggingSettings",
    "PaymentSettings",
    "PreviousKey",
    "Rate",
    "RateLimitSettings",
    "RecommendationSettings",
    "RelaySettings",
    "Settings",
    "SmtpSettings",
    "get_settings",
]
