"""A database its migrations have not reached: each operator command says to upgrade it, in one
line with exit code 2 (not a traceback)."""

from __future__ import annotations

import asyncio

from foundation.kafka import KafkaConnection
from orderflow.settings import Settings
from tests.integration.operations.dead_letters import Failed, seed
from tests.integration.operations.test_cli import assert_user_error, orderflow
from tests.support.databases import fresh_database


async def test_operator_commands_on_an_unmigrated_database_say_to_upgrade(
    settings: Settings, kafka: KafkaConnection, group: str
) -> None:
    await seed(kafka, group, Failed())
    async with fresh_database(settings.database.url) as url:
        empty = settings.model_copy(
            update={"database": settings.database.model_copy(update={"url": url})}
        )
        runs = await asyncio.gather(
            orderflow(empty, "dlq", "ls", "--group", group),
            orderflow(empty, "dlq", "quarantine", "ls"),
            orderflow(empty, "consumers", "status", "--group", "notifications"),
        )
    for run in runs:
        assert_user_error(
            run, "the database schema is older than this code (", "run `orderflow db upgrade`"
        )
