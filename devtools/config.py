"""Pure values of the dev infrastructure: ports, addresses, URLs and service status."""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from devtools.errors import DevError

HOST = "127.0.0.1"
DATABASE_NAME = "orderflow"
DATABASE_URL_VAR = "ORDERFLOW_DATABASE_URL"
KAFKA_BOOTSTRAP_VAR = "ORDERFLOW_KAFKA_BOOTSTRAP_SERVERS"

MAX_PORT = 65535
_PORT_DEFAULTS = {
    "ORDERFLOW_DEV_POSTGRES_PORT": 55432,
    "ORDERFLOW_DEV_KAFKA_PORT": 59092,
    "ORDERFLOW_DEV_KAFKA_CONTROLLER_PORT": 59093,
}


class Service(StrEnum):
    """The services the dev tooling runs."""

    POSTGRES = "postgres"
    KAFKA = "kafka"
    PAYMENTS = "payments"
    CARRIER = "carrier"
    SMTP_SINK = "smtp-sink"


@dataclass(frozen=True)
class Ports:
    """Where the dev services listen (all on 127.0.0.1)."""

    postgres: int = 55432
    kafka: int = 59092
    kafka_controller: int = 59093


@dataclass(frozen=True)
class ServiceStatus:
    """What ``orderflow dev status`` reports for one service."""

    service: Service
    running: bool
    pid: int | None
    address: str
    data_dir: str
    log_file: str

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {**asdict(self), "service": self.service.value}


def _port(environ: Mapping[str, str], name: str) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return _PORT_DEFAULTS[name]
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PORT:
        raise DevError(
            f"{name}={raw!r} is not a TCP port", hint=f"use a number from 1 to {MAX_PORT}"
        )
    return int(raw)


def resolve_ports(environ: Mapping[str, str]) -> Ports:
    """The dev ports, with ``ORDERFLOW_DEV_*_PORT`` overrides from ``environ``."""
    values = [_port(environ, name) for name in _PORT_DEFAULTS]
    ports = Ports(*values)
    if len(set(values)) != len(values):
        raise DevError(f"the dev ports must differ, got {ports}", hint="check ORDERFLOW_DEV_*_PORT")
    return ports


def dev_database_url(ports: Ports) -> str:
    """The SQLAlchemy URL of the dev PostgreSQL database."""
    return f"postgresql+asyncpg://postgres@{HOST}:{ports.postgres}/{DATABASE_NAME}"


def dev_kafka_bootstrap(ports: Ports) -> str:
    """The bootstrap servers of the dev Kafka broker."""
    return f"{HOST}:{ports.kafka}"


def env_exports(database_url: str, kafka_bootstrap_servers: str) -> str:
    """Shell lines that point the application at the given infrastructure."""
    return (
        f"export {DATABASE_URL_VAR}={shlex.quote(database_url)}\n"
        f"export {KAFKA_BOOTSTRAP_VAR}={shlex.quote(kafka_bootstrap_servers)}\n"
    )


def mask_password(url: str) -> str:
    """``url`` with any password replaced by ``***`` (for log lines)."""
    return re.sub(r"(://[^:/@]+:)[^@/]*@", r"\1***@", url)
