"""The record a replay publishes for a dead letter."""

from __future__ import annotations

import uuid
from datetime import datetime

from consumers.operations import conventions as c
from consumers.operations.records import DeadLetter
from events import KafkaRecord


def replay_record(
    dead: DeadLetter, *, destination: str, job_id: uuid.UUID, replay_count: int, now: datetime
) -> KafkaRecord:
    """The original key, value and headers, stamped for a replay.

    ``x-original-*`` and ``x-exception-*`` stay (where and when the event first failed, the
    attempts so far); ``x-retry-*`` and ``x-replay-*`` are replaced, so the consumer's first
    retry tier handles the record at once and counts this replay.
    """
    kept = [(n, v) for n, v in dead.headers if not n.startswith(c.REPLACED_HEADER_PREFIXES)]
    stamps = [
        (c.REPLAY_ID, str(job_id).encode()),
        (c.REPLAY_COUNT, str(replay_count).encode()),
        (c.RETRY_NOT_BEFORE, now.isoformat().encode()),
    ]
    return KafkaRecord(topic=destination, key=dead.key, value=dead.value, headers=kept + stamps)
