"""A dead letter as the tooling sees it: coordinates, failure headers, the original record."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from consumers.operations import conventions as c

Headers = list[tuple[str, bytes]]


@dataclass(frozen=True)
class DeadLetter:
    """One record of a ``<group>.dlq`` topic, with its ``x-*`` headers parsed."""

    topic: str
    partition: int
    offset: int
    timestamp_ms: int
    key: bytes
    value: bytes
    headers: Headers

    @property
    def group(self) -> str:
        """The consumer group that failed (from the header, else from the topic name)."""
        return self.header(c.ORIGINAL_GROUP) or c.group_of(self.topic) or ""

    @property
    def reason(self) -> str:
        """The failure reason, e.g. ``invalid_payload`` or ``retries_exhausted``."""
        return self.header(c.EXCEPTION_REASON) or "unknown"

    @property
    def event_type(self) -> str:
        """The CloudEvents type of the original event, or ``unknown``."""
        return self.header(c.EVENT_TYPE) or "unknown"

    @property
    def event_id(self) -> uuid.UUID | None:
        """The original event id (``ce_id``), None when missing or malformed."""
        raw = self.header(c.EVENT_ID)
        try:
            return uuid.UUID(raw) if raw else None
        except ValueError:
            return None

    @property
    def replay_count(self) -> int:
        """How many replays the original went through before this dead letter."""
        return _int(self.header(c.REPLAY_COUNT))

    @property
    def attempts(self) -> int:
        """Delivery attempts before the record was dead-lettered."""
        return _int(self.header(c.EXCEPTION_ATTEMPTS))

    @property
    def dead_lettered_at(self) -> datetime:
        """When the record was written to the dead-letter topic."""
        return datetime.fromtimestamp(self.timestamp_ms / 1000, UTC)

    @property
    def key_text(self) -> str:
        """The key as text (keys are aggregate ids)."""
        return self.key.decode(errors="replace")

    def header(self, name: str) -> str | None:
        """The last value of header ``name`` as text, or None."""
        found: str | None = None
        for header, raw in self.headers:
            if header == name and raw is not None:
                found = raw.decode(errors="replace")
        return found

    def header_map(self) -> dict[str, str]:
        """Every header as text (the last value wins)."""
        return {name: raw.decode(errors="replace") for name, raw in self.headers if raw is not None}


def _int(raw: str | None) -> int:
    try:
        return max(0, int(raw)) if raw else 0
    except ValueError:
        return 0
