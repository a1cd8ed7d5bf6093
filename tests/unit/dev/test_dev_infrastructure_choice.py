"""Which infrastructure the environment names, and how ``orderflow dev status`` renders."""

from __future__ import annotations

import pytest

from devtools.cli import render_status
from devtools.config import Service, ServiceStatus
from devtools.infrastructure import Infrastructure, infrastructure_from_environment

pytestmark = pytest.mark.unit


def test_both_variables_name_the_infrastructure() -> None:
    environ = {
        "ORDERFLOW_DATABASE_URL": "postgresql+asyncpg://app@db:5432/orderflow",
        "ORDERFLOW_KAFKA_BOOTSTRAP_SERVERS": "kafka-1:9092,kafka-2:9092",
    }
    assert infrastructure_from_environment(environ) == Infrastructure(
        "postgresql+asyncpg://app@db:5432/orderflow", "kafka-1:9092,kafka-2:9092", "environment"
    )


@pytest.mark.parametrize(
    "environ",
    [
        {},
        {"ORDERFLOW_DATABASE_URL": "postgresql+asyncpg://app@db/orderflow"},
        {"ORDERFLOW_KAFKA_BOOTSTRAP_SERVERS": "kafka:9092"},
        {"ORDERFLOW_DATABASE_URL": " ", "ORDERFLOW_KAFKA_BOOTSTRAP_SERVERS": "kafka:9092"},
    ],
)
def test_one_variable_is_not_enough(environ: dict[str, str]) -> None:
    assert infrastructure_from_environment(environ) is None


def test_status_lines() -> None:
    statuses = [
        ServiceStatus(Service.POSTGRES, True, 42, "127.0.0.1:55432", "/d/pg", "/d/pg.log"),
        ServiceStatus(Service.KAFKA, False, None, "127.0.0.1:59092", "/d/kafka", "/d/k.log"),
    ]
    first, second = render_status(statuses).splitlines()
    assert first.split()[:4] == ["postgres", "running", "pid", "42"]
    assert "127.0.0.1:55432" in first
    assert "/d/pg" in first
    assert second.split()[:4] == ["kafka", "stopped", "pid", "-"]


def test_status_as_json_dict() -> None:
    status = ServiceStatus(Service.KAFKA, False, None, "127.0.0.1:59092", "/d", "/d/log")
    assert status.as_dict() == {
        "service": "kafka",
        "running": False,
        "pid": None,
        "address": "127.0.0.1:59092",
        "data_dir": "/d",
        "log_file": "/d/log",
    }
