"""Fixtures of the relay tests: subprocess relays that are always stopped afterwards."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from orderflow.settings import Settings
from tests.integration.relay.relay_processes import RelayProcess, StartRelays
from tests.private_pair import PrivateBroker


@pytest.fixture
def relays(settings: Settings, tmp_path: Path) -> Iterator[StartRelays]:
    """Start ``n`` relay subprocesses on the test database and the session's broker."""
    started: list[RelayProcess] = []

    def start(n: int) -> list[RelayProcess]:
        batch = [
            RelayProcess(
                settings.database.url,
                settings.kafka.bootstrap_servers,
                tmp_path,
                f"relay-{len(started) + i}",
            )
            for i in range(n)
        ]
        for relay in batch:
            relay.start()
        started.extend(batch)
        return batch

    yield start
    for relay in started:
        relay.terminate()
    for relay in started:
        relay.stop()


@pytest.fixture
async def private_broker(tmp_path: Path) -> AsyncIterator[PrivateBroker]:
    """A broker of this test only, stopped at the end whatever happened."""
    broker = PrivateBroker(tmp_path / "broker")
    try:
        await broker.start()
        yield broker
    finally:
        await broker.stop()
