"""``orderflow dev --only`` offers exactly the services of ``orderflow.dev`` (a light copy)."""

from __future__ import annotations

from orderflow.cli.dev import ServiceName, _services
from orderflow.dev import ALL_SERVICES, Service


def test_the_cli_choices_are_the_dev_services() -> None:
    assert [name.value for name in ServiceName] == [service.value for service in Service]


def test_only_maps_to_the_dev_service() -> None:
    assert _services(None) == ALL_SERVICES
    assert _services(ServiceName.KAFKA) == (Service.KAFKA,)
    assert type(_services(ServiceName.POSTGRES)[0]) is Service
