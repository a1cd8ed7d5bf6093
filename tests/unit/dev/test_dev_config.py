"""Ports, URLs and shell exports of the dev infrastructure."""

from __future__ import annotations

import pytest

from devtools.config import (
    Ports,
    dev_database_url,
    dev_kafka_bootstrap,
    env_exports,
    mask_password,
    resolve_ports,
)
from devtools.errors import DevError

pytestmark = pytest.mark.unit


def test_default_ports() -> None:
    assert resolve_ports({}) == Ports(postgres=55432, kafka=59092, kafka_controller=59093)


def test_ports_are_overridden_by_the_environment() -> None:
    environ = {
        "ORDERFLOW_DEV_POSTGRES_PORT": "6543",
        "ORDERFLOW_DEV_KAFKA_PORT": "19092",
        "ORDERFLOW_DEV_KAFKA_CONTROLLER_PORT": " 19093 ",
    }
    assert resolve_ports(environ) == Ports(postgres=6543, kafka=19092, kafka_controller=19093)


def test_blank_override_means_default() -> None:
    assert resolve_ports({"ORDERFLOW_DEV_KAFKA_PORT": ""}).kafka == 59092


@pytest.mark.parametrize("value", ["abc", "0", "65536", "-1", "80.5"])
def test_invalid_port_is_a_user_error(value: str) -> None:
    with pytest.raises(DevError, match="ORDERFLOW_DEV_POSTGRES_PORT"):
        resolve_ports({"ORDERFLOW_DEV_POSTGRES_PORT": value})


def test_ports_must_differ() -> None:
    with pytest.raises(DevError, match="must differ"):
        resolve_ports({"ORDERFLOW_DEV_KAFKA_CONTROLLER_PORT": "59092"})


def test_dev_urls() -> None:
    ports = Ports(postgres=1111, kafka=2222, kafka_controller=3333)
    assert dev_database_url(ports) == "postgresql+asyncpg://postgres@127.0.0.1:1111/orderflow"
    assert dev_kafka_bootstrap(ports) == "127.0.0.1:2222"


def test_env_exports_are_shell_lines() -> None:
    text = env_exports("postgresql+asyncpg://postgres@127.0.0.1:55432/orderflow", "127.0.0.1:59092")
    assert text.splitlines() == [
        "export ORDERFLOW_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:55432/orderflow",
        "export ORDERFLOW_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:59092",
    ]


def test_env_exports_quote_what_the_shell_would_interpret() -> None:
    line = env_exports("postgresql://u:p$ss word@h/db", "h:1").splitlines()[0]
    assert line == "export ORDERFLOW_DATABASE_URL='postgresql://u:p$ss word@h/db'"


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("postgresql+asyncpg://app:s3cret@db:5432/x", "postgresql+asyncpg://app:***@db:5432/x"),
        ("postgresql://postgres@127.0.0.1/x", "postgresql://postgres@127.0.0.1/x"),
        ("postgresql://host:5432/x", "postgresql://host:5432/x"),
    ],
)
def test_mask_password(url: str, masked: str) -> None:
    assert mask_password(url) == masked
