"""``orderflow dev --only`` offers exactly the services of the dev tooling."""

from __future__ import annotations

from typer.testing import CliRunner

from devtools.cli import app, services
from devtools.config import Service
from devtools.stack import ALL_SERVICES


def test_the_cli_choices_are_the_dev_services() -> None:
    result = CliRunner().invoke(app, ["up", "--only", "mainframe"])
    assert result.exit_code == 2
    for service in Service:
        assert f"'{service.value}'" in result.output


def test_only_maps_to_the_dev_service() -> None:
    assert services(None) == ALL_SERVICES
    assert services(Service.KAFKA) == (Service.KAFKA,)
    assert type(services(Service.POSTGRES)[0]) is Service
