"""The inbox retention must outlive every window in which an event can come again."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from orderflow.settings import ConsumerSettings, DeadLetterSettings, Settings


def test_the_default_retention_outlives_the_replay_window_and_the_tiers() -> None:
    settings = Settings()
    assert settings.consumers.inbox_retention_days > settings.dead_letters.replay_window_days


@pytest.mark.parametrize(
    ("consumers", "dead_letters"),
    [
        ({"inbox_retention_days": 7.0}, {"replay_window_days": 7.0}),
        ({"inbox_retention_days": 8.0, "retry_delays_seconds": [86_400.0 * 2]}, {}),
        ({"inbox_retention_days": 0.5}, {}),
    ],
)
def test_a_retention_shorter_than_a_redelivery_is_refused(
    consumers: dict[str, object], dead_letters: dict[str, object]
) -> None:
    with pytest.raises(ValidationError, match="inbox_retention_days"):
        Settings(
            consumers=ConsumerSettings(**consumers),  # type: ignore[arg-type]
            dead_letters=DeadLetterSettings(**dead_letters),  # type: ignore[arg-type]
        )
