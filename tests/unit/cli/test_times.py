"""Operators type times as ISO-8601 or as durations ago (dlq selectors, outbox republish)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from orderflow.cli.errors import UserError
from orderflow.cli.times import parse_time

NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-26T02:00:00Z", datetime(2026, 11, 26, 2, 0, tzinfo=UTC)),
        ("2026-11-26T03:00:00+01:00", datetime(2026, 11, 26, 2, 0, tzinfo=UTC)),
        ("2026-11-26 02:00", datetime(2026, 11, 26, 2, 0, tzinfo=UTC)),
        ("2026-11-26", datetime(2026, 11, 26, tzinfo=UTC)),
        ("30m", NOW - timedelta(minutes=30)),
        ("2h", NOW - timedelta(hours=2)),
        ("7d ago", NOW - timedelta(days=7)),
        ("1d", NOW - timedelta(days=1)),
        ("2026-11-26T01:30:00Z", datetime(2026, 11, 26, 1, 30, tzinfo=UTC)),
        ("2026-11-26 01:30", datetime(2026, 11, 26, 1, 30, tzinfo=UTC)),
        ("now", NOW),
    ],
)
def test_accepted_forms(text: str, expected: datetime) -> None:
    assert parse_time(text, now=NOW) == expected


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01", "5 parsecs", "-2h", ""])
def test_malformed_times_name_the_option_and_the_forms(text: str) -> None:
    with pytest.raises(UserError, match=r"--since.*ISO-8601.*30m"):
        parse_time(text, option="--since", now=NOW)
