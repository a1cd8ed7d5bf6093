"""Dead-letter records: the original key, value and headers plus ``x-*`` failure headers."""

from __future__ import annotations

import traceback
from datetime import UTC, datetime

from aiokafka.structs import ConsumerRecord

from events import KafkaRecord

MAX_STACK_CHARS = 4000


def dead_letter_record(
    record: ConsumerRecord[bytes, bytes],
    *,
    group: str,
    topic: str,
    error: BaseException,
    reason: str,
    attempts: int = 1,
    first_failure_at: datetime | None = None,
) -> KafkaRecord:
    """The record to publish on ``topic`` for a failed ``record``."""
    original = [
        (name, value)
        for name, value in (record.headers or ())
        if not name.startswith(("x-original-", "x-exception-"))
    ]
    stack = "".join(traceback.format_exception(error))[-MAX_STACK_CHARS:]
    failure = {
        "x-original-topic": record.topic,
        "x-original-partition": str(record.partition),
        "x-original-offset": str(record.offset),
        "x-original-timestamp": str(record.timestamp),
        "x-original-consumer-group": group,
        "x-exception-type": type(error).__name__,
        "x-exception-reason": reason,
        "x-exception-message": str(error)[:1000],
        "x-exception-stacktrace": stack,
        "x-exception-attempts": str(attempts),
        "x-exception-first-failure-at": (first_failure_at or datetime.now(UTC)).isoformat(),
    }
    headers = [*original, *((k, v.encode()) for k, v in failure.items())]
    return KafkaRecord(
        topic=topic, key=record.key or b"", value=record.value or b"", headers=headers
    )
