"""A quarantined record as the operator tooling sees it (a row of ``messaging.quarantine``)."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from consumers.operations import conventions as c

Headers = list[tuple[str, bytes | None]]


@dataclass(frozen=True)
class QuarantinedRecord:
    """A record whose dead letter could not be written, with why and what became of it."""

    id: int
    group: str
    topic: str
    partition: int
    offset: int
    key: bytes | None
    key_size: int
    value: bytes | None
    value_size: int
    value_sha256: str
    complete: bool
    headers: Headers
    reason: str
    failure_reason: str
    exception_type: str
    message: str
    rejection: str
    quarantined_at: datetime
    replay_count: int
    resolution: str | None
    resolved_at: datetime | None
    resolved_by: str | None

    @classmethod
    def from_row(cls, row: Any) -> QuarantinedRecord:
        """From a mapping row of ``messaging.quarantine``."""
        return cls(
            id=row["id"],
            group=row["consumer_group"],
            topic=row["topic"],
            partition=row["partition"],
            offset=row["offset"],
            key=None if row["key"] is None else bytes(row["key"]),
            key_size=row["key_size"],
            value=None if row["value"] is None else bytes(row["value"]),
            value_size=row["value_size"],
            value_sha256=row["value_sha256"],
            complete=row["complete"],
            headers=[(h["name"], _unb64(h["value"])) for h in row["headers"]],
            reason=row["reason"],
            failure_reason=row["failure_reason"],
            exception_type=row["exception_type"],
            message=row["message"],
            rejection=row["rejection"],
            quarantined_at=row["quarantined_at"],
            replay_count=row["replay_count"],
            resolution=row["resolution"],
            resolved_at=row["resolved_at"],
            resolved_by=row["resolved_by"],
        )

    def header(self, name: str) -> str | None:
        """The last value of header ``name`` as text, or None."""
        found = [v for n, v in self.headers if n == name and v is not None]
        return found[-1].decode(errors="replace") if found else None

    @property
    def event_type(self) -> str:
        """The CloudEvents type of the record, or ``unknown``."""
        return (self.header(c.EVENT_TYPE) or "unknown")[:200]

    @property
    def event_id(self) -> uuid.UUID | None:
        """The record's event id (``ce_id``), None when missing or malformed."""
        raw = self.header(c.EVENT_ID)
        try:
            return uuid.UUID(raw) if raw and len(raw) < 64 else None
        except ValueError:
            return None

    @property
    def size(self) -> int:
        """Key and value bytes of the original record."""
        return self.key_size + self.value_size

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form with every byte (base64), enough to re-publish it elsewhere."""
        return {
            "id": self.id,
            "group": self.group,
            "topic": self.topic,
            "partition": self.partition,
            "offset": self.offset,
            "event_type": self.event_type,
            "event_id": str(self.event_id) if self.event_id else None,
            "key_base64": _b64(self.key),
            "key_size": self.key_size,
            "value_base64": _b64(self.value),
            "value_size": self.value_size,
            "value_sha256": self.value_sha256,
            "complete": self.complete,
            "headers": [[n, _b64(v)] for n, v in self.headers],
            "reason": self.reason,
            "failure_reason": self.failure_reason,
            "exception_type": self.exception_type,
            "message": self.message,
            "rejection": self.rejection,
            "quarantined_at": self.quarantined_at.isoformat(),
            "replay_count": self.replay_count,
            "resolution": self.resolution,
            "resolved_at": self.resolved_at.isoformat() if self.resolved_at else None,
            "resolved_by": self.resolved_by,
        }


def _b64(raw: bytes | None) -> str | None:
    return None if raw is None else base64.b64encode(raw).decode()


def _unb64(text: str | None) -> bytes | None:
    return None if text is None else base64.b64decode(text)
