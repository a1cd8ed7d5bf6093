"""``dlq ls``: unresolved dead letters grouped by group, failure reason and event type."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from consumers.operations.records import DeadLetter


@dataclass(frozen=True)
class SummaryRow:
    """How many unresolved dead letters share a (group, reason, event type), oldest and newest."""

    group: str
    reason: str
    event_type: str
    count: int
    oldest: datetime
    newest: datetime

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form for ``ls --json``."""
        return {
            "group": self.group,
            "reason": self.reason,
            "event_type": self.event_type,
            "count": self.count,
            "oldest": self.oldest.isoformat(),
            "newest": self.newest.isoformat(),
        }


def summarize(group: str, records: Iterable[DeadLetter]) -> list[SummaryRow]:
    """Group ``records`` of consumer ``group``; the largest groups first."""
    buckets: dict[tuple[str, str], list[datetime]] = {}
    for record in records:
        buckets.setdefault((record.reason, record.event_type), []).append(record.dead_lettered_at)
    rows = [
        SummaryRow(group, reason, event_type, len(times), min(times), max(times))
        for (reason, event_type), times in buckets.items()
    ]
    return sorted(rows, key=lambda r: (-r.count, r.reason, r.event_type))
