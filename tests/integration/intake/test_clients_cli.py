"""``orderflow clients``: a secret printed once and stored as a hash; rotate and revoke."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from typer.testing import CliRunner

from domains.identity import api as identity
from orderflow.cli import clients
from orderflow.settings import Settings
from orderflow.wiring.connections import database_engine, database_sessions


def _credentials(output: str) -> tuple[uuid.UUID, str]:
    values = dict(line.split("=", 1) for line in output.splitlines() if "=" in line)
    return uuid.UUID(values["client_id"]), values["client_secret"]


async def _authenticates(settings: Settings, client_id: uuid.UUID, secret: str) -> bool:
    engine = database_engine(settings)
    try:
        async with database_sessions(settings, engine)() as session:
            return await identity.authenticate_client(session, client_id, secret) is not None
    finally:
        await engine.dispose()


def test_create_list_rotate_and_revoke(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("orderflow.settings.get_settings", lambda: settings)
    name = f"pos-{uuid.uuid4().hex[:8]}"
    runner = CliRunner()

    created = runner.invoke(clients.app, ["create", "--name", name, "--scopes", "orders:write"])
    client_id, secret = _credentials(created.stdout)
    listed = runner.invoke(clients.app, ["list"])
    rotated = runner.invoke(clients.app, ["rotate", name])
    _, new_secret = _credentials(rotated.stdout)
    old_works = asyncio.run(_authenticates(settings, client_id, secret))
    new_works = asyncio.run(_authenticates(settings, client_id, new_secret))
    revoked = runner.invoke(clients.app, ["revoke", name])

    assert created.exit_code == listed.exit_code == rotated.exit_code == revoked.exit_code == 0
    assert name in listed.stdout
    assert str(client_id) in listed.stdout
    assert secret not in listed.stdout
    assert (old_works, new_works) == (False, True)
    assert not asyncio.run(_authenticates(settings, client_id, new_secret))


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        (["create", "--name", "x", "--scopes", "orders:everything"], "bad_scopes"),
        (["create", "--name", "no spaces"], "bad_client_name"),
        (["revoke", "nobody-by-this-name"], "client_not_found"),
    ],
)
def test_mistakes_are_one_line_and_exit_2(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, arguments: list[str], code: str
) -> None:
    monkeypatch.setattr("orderflow.settings.get_settings", lambda: settings)

    result = CliRunner().invoke(clients.app, arguments)

    assert result.exit_code == 2
    assert code in result.output
    assert "Traceback" not in result.output
