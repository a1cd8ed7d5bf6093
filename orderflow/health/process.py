"""What each kind of process checks before it calls itself ready, and the line it prints.

The API needs PostgreSQL only: while Kafka is away it keeps taking orders into the outbox, so
a broker outage must not take it out of a load balancer. Every process that talks to Kafka
(relay, consumers, jobs, ``orderflow run``) checks the broker's metadata too, and a process
that relays the outbox checks that its oldest unpublished row is younger than the objective.
"""

from __future__ import annotations

from collections.abc import Iterable

from foundation.database import create_engine
from orderflow.health.checks import Check, KafkaMetadata, database, outbox_age
from orderflow.health.readiness import Readiness
from orderflow.settings import Settings

HEALTH_PATHS = "/metrics /healthz /readyz"


def readiness(settings: Settings, *, kafka: bool, outbox: bool) -> Readiness:
    """The checks of a process; they share one small engine of their own, so a probe neither
    waits behind nor takes a connection from the process's work."""
    engine = create_engine(settings.database.url, pool_size=1)
    checks: dict[str, Check] = {"database": database(engine)}
    closers = []
    if kafka:
        metadata = KafkaMetadata(settings.kafka.connection())
        checks["kafka"] = metadata
        closers.append(metadata.close)
    if outbox:
        checks["outbox"] = outbox_age(engine, settings.relay.ready_max_age_seconds)
    closers.append(engine.dispose)
    return Readiness(checks, closers=closers)


def address(settings: Settings, port: int) -> str:
    """``http://host:port`` of a port this process serves."""
    return f"http://{settings.http.host}:{port}"


def operations_at(settings: Settings, port: int) -> str:
    """Where a process's operations endpoint is, as its start-up line says it."""
    return f"metrics and health on {address(settings, port)} ({HEALTH_PATHS})"


def started_line(command: str, runs: str, settings: Settings, port: int) -> str:
    """The one line a process without an API prints once its operations endpoint listens."""
    return f"orderflow {command}: {runs}; {operations_at(settings, port)}"


def api_line(command: str, settings: Settings, metrics_port: int, also: Iterable[str] = ()) -> str:
    """The one line a process with the API prints once the API listens; its metrics are on
    ``metrics_port``, not on the API's."""
    base = address(settings, settings.http.port)
    parts = [f"API {base} (docs /docs, /healthz /readyz)", *also]
    return f"orderflow {command}: " + "; ".join([*parts, operations_at(settings, metrics_port)])
