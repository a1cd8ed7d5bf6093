"""Settings read from the environment (prefix ``ORDERFLOW_``).

Connection settings accept TLS/SASL credentials for real clusters; nothing secret has a
default here.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from producers import KafkaConnection


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

    relay_batch_size: int = Field(default=500, ge=1)
    relay_poll_interval_seconds: float = Field(default=1.0, gt=0)

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console"] = "json"

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
