"""A lock connection that PostgreSQL is shutting down fails with asyncpg's InternalClientError
(its protocol is still consuming the server's FATAL message): the relay treats it as lost —
no lane held any longer, the connection dropped, the step retried — and takes its lanes again
on a new connection. Before, that error escaped the relay's retries and ended the process."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from outbox import LANES
from outbox.lanes import LaneLocks
from outbox.relay import RETRYABLE

STATE_ERROR = "cannot switch to state 12; another operation (2) is in progress"


class ClosingConnection:
    """The server sent FATAL (fast shutdown) and has not closed the socket yet."""

    def __init__(self) -> None:
        self.terminated = False

    def is_closed(self) -> bool:
        return self.terminated

    async def execute(self, *_: Any) -> str:
        return "SELECT 1"

    async def add_listener(self, *_: Any) -> None:
        return None

    async def fetchval(self, *_: Any) -> int:
        raise asyncpg.InternalClientError(STATE_ERROR)

    async def close(self, timeout: float | None = None) -> None:
        raise asyncpg.InternalClientError("cannot switch to state 4; another operation (2)")

    def terminate(self) -> None:
        self.terminated = True


class FreshConnection(ClosingConnection):
    """A new connection to a running server, the only relay alive."""

    async def fetchval(self, *_: Any) -> int:
        return 1  # live relays

    async def fetch(self, _: str, free: list[int], __: int, wanted: int) -> list[dict[str, int]]:
        return [{"lane": lane} for lane in free[:wanted]]


async def test_a_connection_left_mid_protocol_by_a_shutdown_is_dropped_and_replaced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    connections = [ClosingConnection(), FreshConnection()]

    async def connect(*_: Any, **__: Any) -> ClosingConnection:
        return connections.pop(0)

    monkeypatch.setattr(asyncpg, "connect", connect)
    lanes = LaneLocks("postgresql://unused")
    closing = connections[0]
    lanes.held = [1, 2]  # lanes held before the shutdown

    with pytest.raises(asyncpg.InternalClientError) as raised:
        await lanes.refresh(lambda *_: None)
    assert isinstance(raised.value, RETRYABLE)  # the relay backs off and retries the step
    assert lanes.held == []
    assert closing.terminated
    assert lanes.wants_refresh()

    await lanes.refresh(lambda *_: None)
    assert len(lanes.held) == LANES
