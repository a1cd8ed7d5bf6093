"""Local infrastructure for development and tests: a private PostgreSQL and a one-node Kafka.

``orderflow dev up|down|status|env|classpath`` is the command line; ``ensure_infrastructure()``
is what test fixtures call.
"""

from orderflow.dev.config import (
    Ports,
    Service,
    ServiceStatus,
    dev_database_url,
    dev_kafka_bootstrap,
    env_exports,
    mask_password,
    resolve_ports,
)
from orderflow.dev.errors import DevError
from orderflow.dev.infrastructure import (
    Infrastructure,
    docker_available,
    ensure_infrastructure,
    infrastructure_from_environment,
    release_infrastructure,
)
from orderflow.dev.paths import DevPaths, dev_paths, find_project_root
from orderflow.dev.stack import (
    ALL_SERVICES,
    DevStack,
    dev_stack,
    down,
    kafka_classpath,
    purge,
    status,
    up,
)

__all__ = [
    "ALL_SERVICES",
    "DevError",
    "DevPaths",
    "DevStack",
    "Infrastructure",
    "Ports",
    "Service",
    "ServiceStatus",
    "dev_database_url",
    "dev_kafka_bootstrap",
    "dev_paths",
    "dev_stack",
    "docker_available",
    "down",
    "ensure_infrastructure",
    "env_exports",
    "find_project_root",
    "infrastructure_from_environment",
    "kafka_classpath",
    "mask_password",
    "purge",
    "release_infrastructure",
    "resolve_ports",
    "status",
    "up",
]
