"""``orderflow users create-admin`` makes an account that logs in with the admin role."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from typer.testing import CliRunner

from domains.identity.api import IdentityUnitOfWork, decode_access_token, login
from orderflow.cli import users
from orderflow.settings import Settings
from orderflow.wiring.connections import database_engine, database_sessions
from tests.support.identity import identity_config

PASSWORD = "an admin passphrase"


def test_create_admin_then_log_in_as_admin(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The command imports get_settings when it runs (CLI startup time): patch it at its source.
    monkeypatch.setattr("orderflow.settings.get_settings", lambda: settings)
    email = f"admin-{uuid.uuid4().hex[:8]}@example.com"
    runner = CliRunner()

    created = runner.invoke(
        users.app, ["create-admin", "--email", email, "--password-stdin"], input=PASSWORD + "\n"
    )
    again = runner.invoke(
        users.app, ["create-admin", "--email", email, "--password-stdin"], input=PASSWORD + "\n"
    )

    assert created.exit_code == 0, created.output
    assert again.exit_code == 2
    assert "email_taken" in again.output
    assert "admin" in asyncio.run(_roles_after_login(settings, email))


async def _roles_after_login(settings: Settings, email: str) -> frozenset[str]:
    engine = database_engine(settings)
    try:
        uow = IdentityUnitOfWork(database_sessions(settings, engine))
        config = identity_config(settings)
        pair = await login(email, PASSWORD, uow, config)
    finally:
        await engine.dispose()
    return decode_access_token(pair.access.token, keys=config.keys, rules=config.access_rules).roles
