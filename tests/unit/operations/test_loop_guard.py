"""The loop guard stops a record from bouncing between the DLQ and replays forever."""

from __future__ import annotations

import pytest

from consumers.operations import DEFAULT_MAX_REPLAYS, LoopGuard


@pytest.mark.parametrize(("replays", "allowed"), [(0, True), (2, True), (3, False), (9, False)])
def test_default_limit_is_three_replays(replays: int, allowed: bool) -> None:
    assert DEFAULT_MAX_REPLAYS == 3
    assert LoopGuard().allows(replays) is allowed


def test_force_lifts_the_limit() -> None:
    assert LoopGuard(max_replays=1, force=True).allows(50)


def test_a_configured_limit_applies() -> None:
    assert not LoopGuard(max_replays=1).allows(1)
