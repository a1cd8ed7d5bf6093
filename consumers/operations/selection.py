"""Which dead letters an operation applies to: the selectors shared by every command."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from consumers.operations.errors import InvalidSelection
from consumers.operations.records import DeadLetter

_RANGE = re.compile(r"^(\d*)\s*(?:(-|\.\.)\s*(\d*))?$")


@dataclass(frozen=True)
class OffsetRange:
    """Inclusive bounds on dead-letter offsets; None means open."""

    first: int | None = None
    last: int | None = None

    def contains(self, offset: int) -> bool:
        """True when ``offset`` lies within the bounds."""
        return (self.first is None or offset >= self.first) and (
            self.last is None or offset <= self.last
        )


def parse_offsets(text: str) -> OffsetRange:
    """``12``, ``10-20``, ``10-`` or ``-20`` (inclusive) into an :class:`OffsetRange`."""
    match = _RANGE.match(text.strip())
    if not match or not (match.group(1) or match.group(3)):
        raise InvalidSelection(
            f"bad --offsets {text!r}: use N, FIRST-LAST, FIRST- or -LAST (inclusive), e.g. 10-20"
        )
    first = int(match.group(1)) if match.group(1) else None
    last = int(match.group(3)) if match.group(3) else None
    if match.group(2) is None:
        last = first
    if first is not None and last is not None and first > last:
        raise InvalidSelection(f"bad --offsets {text!r}: the first offset is after the last")
    return OffsetRange(first, last)


def event_type_matches(wanted: str, ce_type: str) -> bool:
    """``orders.OrderPlaced`` matches every version; ``orders.OrderPlaced.v1`` (or the full
    ``orderflow.orders.OrderPlaced.v1``) matches exactly."""
    name = wanted.removeprefix("orderflow.")
    candidate = ce_type.removeprefix("orderflow.")
    return candidate == name or candidate.rpartition(".v")[0] == name


@dataclass(frozen=True)
class Selection:
    """Selectors over one group's dead letters; an empty selector matches everything."""

    group: str
    reasons: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    event_ids: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    partitions: tuple[int, ...] = ()
    offsets: OffsetRange = field(default_factory=OffsetRange)

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise InvalidSelection("--since is after --until: swap them or widen the window")

    def matches(self, record: DeadLetter) -> bool:
        """True when ``record`` satisfies every selector."""
        return (
            (not self.partitions or record.partition in self.partitions)
            and self.offsets.contains(record.offset)
            and (not self.reasons or record.reason in self.reasons)
            and (not self.keys or record.key_text in self.keys)
            and (not self.event_ids or str(record.event_id) in self.event_ids)
            and (
                not self.event_types
                or any(event_type_matches(t, record.event_type) for t in self.event_types)
            )
            and (self.since is None or record.dead_lettered_at >= self.since)
            and (self.until is None or record.dead_lettered_at <= self.until)
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form stored with jobs and audit entries."""
        return {
            "group": self.group,
            "reasons": list(self.reasons),
            "event_types": list(self.event_types),
            "keys": list(self.keys),
            "event_ids": list(self.event_ids),
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "partitions": list(self.partitions),
            "offsets": [self.offsets.first, self.offsets.last],
        }

    def describe(self) -> str:
        """A one-line human summary, e.g. ``group=notifications reason=permanent``."""
        parts = [f"group={self.group}"]
        for label, values in (
            ("reason", self.reasons),
            ("event-type", self.event_types),
            ("key", self.keys),
            ("event-id", self.event_ids),
            ("partition", tuple(map(str, self.partitions))),
        ):
            if values:
                parts.append(f"{label}={','.join(values)}")
        if self.offsets != OffsetRange():
            first, last = self.offsets.first, self.offsets.last
            parts.append(f"offsets={'' if first is None else first}-{'' if last is None else last}")
        if self.since:
            parts.append(f"since={self.since.isoformat()}")
        if self.until:
            parts.append(f"until={self.until.isoformat()}")
        return " ".join(parts)
