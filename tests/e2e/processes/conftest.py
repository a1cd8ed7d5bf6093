"""Fixtures of the process tests (their stoppable PostgreSQL is ``private_database``, from
``tests.private_pair.fixtures``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from devtools.infrastructure import Infrastructure
from tests.support.databases import migrated_database


@pytest.fixture
async def own_database(infrastructure: Infrastructure) -> AsyncIterator[str]:
    """A migrated database of its own on the shared server (for a deployment whose jobs must
    not touch the session's rows); its URL."""
    async with migrated_database(infrastructure.database_url, "orderflow_own") as url:
        yield url
