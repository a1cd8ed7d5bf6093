"""Fair lane shares and the operator's time filter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from orderflow.cli.errors import UserError
from orderflow.cli.outbox import parse_since
from outbox.lanes import fair_share

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("relays", "share"), [(0, 32), (1, 32), (2, 16), (3, 11), (4, 8), (5, 7)])
def test_every_lane_is_covered_and_no_relay_holds_more_than_its_share(
    relays: int, share: int
) -> None:
    assert fair_share(32, relays) == share
    assert share * max(1, relays) >= 32


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("30m", NOW - timedelta(minutes=30)),
        ("2h", NOW - timedelta(hours=2)),
        ("1d", NOW - timedelta(days=1)),
        ("2026-11-26T01:30:00Z", datetime(2026, 11, 26, 1, 30, tzinfo=UTC)),
        ("2026-11-26 01:30", datetime(2026, 11, 26, 1, 30, tzinfo=UTC)),
    ],
)
def test_since_accepts_durations_ago_and_iso_times(raw: str, expected: datetime) -> None:
    assert parse_since(raw, now=NOW) == expected


def test_a_malformed_since_says_what_is_accepted() -> None:
    with pytest.raises(UserError, match="ISO 8601"):
        parse_since("yesterday")
