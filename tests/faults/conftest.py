"""Fault scenarios: each gets its own PostgreSQL + Kafka pair (never the shared one: they are
killed and restarted) and prints its figures as one JSON line, repeated after the run."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.faults.pair import Pair, private_pair
from tests.faults.reporting import Report, reporter


@pytest.fixture
async def pair(tmp_path: Path) -> AsyncIterator[Pair]:
    """A private pair for this test only."""
    async with private_pair(tmp_path / "kafka") as started:
        yield started


@pytest.fixture
def report(request: pytest.FixtureRequest, tmp_path: Path) -> Report:
    """Print a scenario's figures; its findings go to ``findings.json`` in ``tmp_path``."""
    return reporter(request.node, tmp_path)
