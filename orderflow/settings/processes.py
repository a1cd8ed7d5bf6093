"""How the processes run: the API's address, the relay, the consumers, dead letters, logging."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class HttpSettings(BaseSettings):
    """``ORDERFLOW_HTTP_*``: where the API listens, what it accepts, where its metrics are."""

    model_config = SettingsConfigDict(env_prefix="ORDERFLOW_HTTP_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    # Next to the relay's 9101, the consumers' 9102 and the jobs' 9103; not 9100, which
    # node_exporter takes on many hosts.
    metrics_port: int = Field(
        default=9104,
        description="The API's operations port (/metrics, /healthz, /readyz) for `orderflow api` "
        "and `orderflow run`: the metrics stay off the public API port.",
    )
    # 1 MiB: a checkout of the most lines the API takes is ~20 KB; anything bigger is refused
    # while it streams in, before it is parsed.
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # Our deepest body (checkout: object, items list, item) is 3 levels; 32 leaves room for
    # growth and keeps the parser far from Python's recursion limit.
    max_json_depth: int = Field(default=32, ge=4, le=256)
    report_concurrency: int = Field(
        default=2,
        ge=1,
        description="Reports (analytics and its CSV) one API process computes at once; one "
        "more is refused at once with 503 bulkhead_full and Retry-After.",
    )


class RelaySettings(BaseSettings):
    """``ORDERFLOW_RELAY_*``: the outbox relay's batches, pacing, retention and metrics port."""

    model_config = SettingsConfigDict(env_prefix="ORDERFLOW_RELAY_", extra="ignore")

    batch_size: int = Field(default=500, ge=1)
    poll_interval_seconds: float = Field(default=1.0, gt=0)
    max_record_bytes: int = Field(default=1_000_000, ge=1024)
    pipeline_depth: int = Field(default=2, ge=1, le=8)
    lane_refresh_seconds: float = Field(default=1.0, gt=0)
    max_backoff_seconds: float = Field(default=10.0, gt=0)
    retention_hours: float = Field(default=24.0, ge=0)
    cleanup_interval_seconds: float = Field(default=60.0, gt=0)
    cleanup_batch_size: int = Field(default=5_000, ge=1)
    gauge_interval_seconds: float = Field(default=5.0, gt=0)
    linger_ms: int = Field(default=0, ge=0)  # the relay batches itself; linger adds latency
    metrics_port: int = 9101
    ready_max_age_seconds: float = Field(
        default=60.0,
        gt=0,
        description="The relay's objective: it answers /readyz with 503 while the oldest "
        "unpublished outbox row is older than this.",
    )


class ConsumerSettings(BaseSettings):
    """``ORDERFLOW_CONSUMER_*``: group names, retry tiers, batches and the metrics port."""

    model_config = SettingsConfigDict(env_prefix="ORDERFLOW_CONSUMER_", extra="ignore")

    group_prefix: str = Field(
        default="",
        description="Prefix of every consumer group (and so of its retry and dead-letter topics), "
        "to run several isolated deployments on one cluster.",
    )
    retry_delays_seconds: list[float] = Field(
        default=[5.0, 60.0, 600.0],
        min_length=1,
        description="Delay of each retry tier (<group>.retry.<n>), e.g. [5, 60, 600] "
        "(env: JSON list).",
    )
    quick_attempts: int = Field(
        default=3, ge=1, description="In-process attempts before a transient failure is tiered."
    )
    batch_size: int = Field(default=500, ge=1)
    stop_grace_seconds: float = Field(
        default=5.0,
        gt=0,
        description="On SIGTERM, how long a batch still running at its next record (a hung "
        "handler) and the last commits may take before the batch is cancelled, uncommitted.",
    )
    metrics_port: int = 9102
    inbox_retention_days: float = Field(
        default=14.0,
        gt=0,
        description="How long an inbox row (a handled event id) is kept to recognise the event "
        "if it comes again; must outlive the replay window plus every retry tier.",
    )
    inbox_sweep_interval_seconds: float = Field(default=300.0, gt=0)
    inbox_sweep_batch_size: int = Field(default=5_000, ge=1)


class DeadLetterSettings(BaseSettings):
    """``ORDERFLOW_DLQ_*``: how long events can come again, the replay loop guard."""

    model_config = SettingsConfigDict(env_prefix="ORDERFLOW_DLQ_", extra="ignore")

    replay_window_days: float = Field(
        default=7.0,
        gt=0,
        description="How long an event can be delivered again: the retention of the event, "
        "retry and dead-letter topics (Kafka's default log.retention.hours, 7 days), within "
        "which a dead letter is replayed or a group re-reads its topics.",
    )

    max_replays: int = Field(
        default=3,
        ge=1,
        description="Loop guard of `orderflow dlq replay`: a dead letter already replayed this "
        "many times is refused unless --force.",
    )
    metrics_interval_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How often `orderflow jobs` (and `orderflow run`) reads the dead-letter "
        "figures (orderflow_dlq_*) from the broker and the messaging tables.",
    )


class JobSettings(BaseSettings):
    """``ORDERFLOW_JOBS_*``: the background jobs of ``orderflow jobs`` (and ``orderflow run``)."""

    model_config = SettingsConfigDict(env_prefix="ORDERFLOW_JOBS_", extra="ignore")

    metrics_port: int = 9103
    backoff_max_seconds: float = Field(
        default=60.0,
        gt=0,
        description="The longest a failing background job waits before its next try.",
    )


class LoggingSettings(BaseSettings):
    """``ORDERFLOW_LOG_LEVEL``, ``ORDERFLOW_LOG_FORMAT``."""

    model_config = SettingsConfigDict(env_prefix="ORDERFLOW_LOG_", extra="ignore")

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["json", "console"] = "json"
