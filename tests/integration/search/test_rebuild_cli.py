"""``orderflow search rebuild`` and ``orderflow analytics rebuild`` on a database they cannot use:
one ``error:`` line saying what to do and exit status 2 — never a traceback."""

from __future__ import annotations

import os
import subprocess

import pytest

from devtools.infrastructure import Infrastructure
from orderflow.settings import Settings
from tests.support.databases import fresh_database
from tests.support.processes import ORDERFLOW, free_port

READ_MODELS = {"search": "search", "analytics": "analytics"}  # command -> schema it rebuilds


def _rebuild(command: str, database_url: str, settings: Settings, unique: str) -> list[str]:
    """Run ``orderflow COMMAND rebuild``; its stderr lines (status 2 and no traceback asserted)."""
    env = {
        **os.environ,
        "ORDERFLOW_DATABASE_URL": database_url,
        "ORDERFLOW_KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
        "ORDERFLOW_TOPIC_PREFIX": f"rebuild-cli-{unique}.",
    }
    done = subprocess.run(
        [ORDERFLOW, command, "rebuild"],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stdout == ""  # no summary: nothing was rebuilt
    return done.stderr.strip().splitlines()


@pytest.mark.parametrize("command", list(READ_MODELS))
async def test_a_database_behind_its_migrations_is_one_line_naming_the_upgrade(
    command: str, infrastructure: Infrastructure, settings: Settings, unique: str
) -> None:
    async with fresh_database(infrastructure.database_url, "orderflow_behind") as url:
        lines = _rebuild(command, url, settings, unique)
    assert lines == [
        "error: the database schema is older than this code "
        f'(schema "{READ_MODELS[command]}" does not exist); run `orderflow db upgrade`'
    ]


def test_an_unreachable_database_is_one_line(settings: Settings, unique: str) -> None:
    # One command is enough: both go through the same runner.
    nowhere = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/orderflow"
    [line] = _rebuild("analytics", nowhere, settings, unique)
    assert line.startswith("error: cannot reach PostgreSQL"), line
    assert "ORDERFLOW_DATABASE_URL" in line
