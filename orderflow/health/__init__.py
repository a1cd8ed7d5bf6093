"""Health of every orderflow process: liveness, readiness checks, the operations endpoint."""

from orderflow.health.checks import Check, KafkaMetadata, NotReady, database, outbox_age
from orderflow.health.ports import listen
from orderflow.health.readiness import Readiness, Report
from orderflow.health.routes import health_router
from orderflow.health.server import operations_app, serve

__all__ = [
    "Check",
    "KafkaMetadata",
    "NotReady",
    "Readiness",
    "Report",
    "database",
    "health_router",
    "listen",
    "operations_app",
    "outbox_age",
    "serve",
]
