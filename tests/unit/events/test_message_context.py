"""What a consumed record's handler logs and writes with, bound in one call per record."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import structlog

from events.context import bind_consumed_message, current_causation_id, current_correlation_id

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


@pytest.fixture(autouse=True)
def _fresh_context() -> Iterator[None]:
    structlog.contextvars.clear_contextvars()
    yield
    structlog.contextvars.clear_contextvars()


def _bound() -> dict[str, object]:
    return dict(structlog.contextvars.get_contextvars())


def test_a_record_binds_its_correlation_its_event_id_as_causation_and_its_traceparent() -> None:
    bind_consumed_message("corr-1", "event-1", TRACEPARENT)

    assert _bound() == {
        "correlation_id": "corr-1",
        "causation_id": "event-1",
        "traceparent": TRACEPARENT,
    }
    assert (current_correlation_id(), current_causation_id()) == ("corr-1", "event-1")


@pytest.mark.parametrize("traceparent", ["", "not-a-traceparent", TRACEPARENT.upper()])
def test_the_next_record_without_a_usable_traceparent_drops_the_previous_one(
    traceparent: str,
) -> None:
    bind_consumed_message("corr-1", "event-1", TRACEPARENT)

    bind_consumed_message("corr-2", "event-2", traceparent)

    assert _bound() == {"correlation_id": "corr-2", "causation_id": "event-2"}
