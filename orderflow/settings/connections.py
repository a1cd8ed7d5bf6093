"""Where PostgreSQL and Kafka are: ``ORDERFLOW_DATABASE_*`` and ``ORDERFLOW_KAFKA_*``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from foundation.kafka import KafkaConnection
from foundation.namespace import DEFAULT_SOURCE, Namespace


class DatabaseSettings(BaseSettings):
    """``ORDERFLOW_DATABASE_*``: where PostgreSQL is, and the two pools of a process.

    The critical pool serves the API's shoppers (checkout, orders, sign-in, catalog, search);
    the background pool the relay, the consumers, the jobs and the reports (analytics,
    recommendations). Each opens at most twice its size; neither can take the other's.
    """

    model_config = SettingsConfigDict(env_prefix="ORDERFLOW_DATABASE_", extra="ignore")

    url: str = "postgresql+asyncpg://postgres@127.0.0.1:55432/orderflow"
    pool_size: int = Field(
        default=10,
        ge=1,
        description="Connections the critical pool keeps open; it opens at most twice as many.",
    )
    pool_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        description="How long a request waits for a critical connection before it answers 503 "
        "database_busy with Retry-After (well inside a client's checkout timeout).",
    )
    background_pool_size: int = Field(
        default=10,
        ge=1,
        description="Connections the background pool keeps open; it opens at most twice as "
        "many, shared by the relay, every consumer group, the jobs and the reports of a process.",
    )
    background_pool_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How long background work waits for a connection; then it backs off and "
        "runs again like after any database fault (a report answers 503 database_busy).",
    )


class KafkaSettings(BaseSettings):
    """``ORDERFLOW_KAFKA_*``: the brokers, credentials, and how topics are created."""

    model_config = SettingsConfigDict(env_prefix="ORDERFLOW_KAFKA_", extra="ignore")

    bootstrap_servers: str = "127.0.0.1:59092"
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: str | None = None
    topic_partitions: int = Field(default=3, ge=1)
    topic_replication: int = Field(default=1, ge=1)

    def connection(self) -> KafkaConnection:
        """The client settings shared by producers, consumers and admin clients."""
        return KafkaConnection(
            bootstrap_servers=self.bootstrap_servers,
            security_protocol=self.security_protocol,
            sasl_mechanism=self.sasl_mechanism,
            sasl_username=self.sasl_username,
            sasl_password=self.sasl_password.get_secret_value() if self.sasl_password else None,
            ssl_cafile=self.ssl_cafile,
        )


class DeploymentSettings(BaseSettings):
    """``ORDERFLOW_TOPIC_PREFIX``, ``ORDERFLOW_EVENT_SOURCE``: this deployment's namespace on
    a shared cluster (see :mod:`foundation.namespace`)."""

    model_config = SettingsConfigDict(env_prefix="ORDERFLOW_", extra="ignore")

    topic_prefix: str = Field(
        default="",
        pattern=r"^[A-Za-z0-9._-]{0,100}$",
        description="Prefix of every topic and consumer group of the deployment, e.g. `blue.`; "
        "two deployments on one cluster with different prefixes never see each other's events.",
    )
    event_source: str = Field(
        default=DEFAULT_SOURCE,
        pattern=r"^\S*[^\s/]$",
        description="CloudEvents `source` of the deployment; an event's is `<this>/<domain>`.",
    )

    def namespace(self) -> Namespace:
        """The namespace the processes write and read in."""
        return Namespace(topic_prefix=self.topic_prefix, event_source=self.event_source)
