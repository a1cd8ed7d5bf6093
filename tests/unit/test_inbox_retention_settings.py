"""The inbox retention must outlive every window in which an event can come again."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from orderflow.settings import Settings


def test_the_default_retention_outlives_the_replay_window_and_the_tiers() -> None:
    settings = Settings()
    assert settings.consumer_inbox_retention_days > settings.dlq_replay_window_days


@pytest.mark.parametrize(
    "changes",
    [
        {"consumer_inbox_retention_days": 7.0, "dlq_replay_window_days": 7.0},
        {"consumer_inbox_retention_days": 8.0, "consumer_retry_delays_seconds": [86_400.0 * 2]},
        {"consumer_inbox_retention_days": 0.5},
    ],
)
def test_a_retention_shorter_than_a_redelivery_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ValidationError, match="consumer_inbox_retention_days"):
        Settings(**changes)  # type: ignore[arg-type]
