"""A bulkhead lets ``limit`` requests run, refuses the next at once, and frees a slot when a
request ends however it ends."""

from __future__ import annotations

import uuid
from contextlib import asynccontextmanager

import pytest
from prometheus_client import REGISTRY

from orderflow.http.bulkhead import Bulkhead, BulkheadFull

slot = asynccontextmanager(Bulkhead.slot)


def _rejected(name: str) -> float:
    value = REGISTRY.get_sample_value("orderflow_bulkhead_rejected_total", {"bulkhead": name})
    return value or 0.0


async def test_the_request_past_the_limit_is_refused_and_counted() -> None:
    name = f"reports-{uuid.uuid4().hex[:6]}"
    bulkhead = Bulkhead(name, 2, retry_after=7)
    async with slot(bulkhead), slot(bulkhead):
        with pytest.raises(BulkheadFull) as refused:
            async with slot(bulkhead):
                pass
    assert refused.value.code == "bulkhead_full"
    assert refused.value.retry_after == 7
    assert _rejected(name) == 1
    assert REGISTRY.get_sample_value("orderflow_bulkhead_limit", {"bulkhead": name}) == 2


async def _failing_report(bulkhead: Bulkhead) -> None:
    async with slot(bulkhead):
        assert bulkhead.running == 1
        raise RuntimeError("the report failed")


async def test_a_slot_is_free_again_once_its_request_ended_even_by_an_error() -> None:
    bulkhead = Bulkhead(f"reports-{uuid.uuid4().hex[:6]}", 1)
    with pytest.raises(RuntimeError):
        await _failing_report(bulkhead)
    assert bulkhead.running == 0
    async with slot(bulkhead):
        assert bulkhead.running == 1
