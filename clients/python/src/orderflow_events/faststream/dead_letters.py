"""Dead letters: an undecodable record goes to the subscriber's own dead-letter topic, then
its offset is committed, so a partition never stalls on it and the record is never lost."""

from __future__ import annotations

import logging
import time
from typing import Any

from aiokafka import ConsumerRecord
from faststream import Context, ExceptionMiddleware, StreamMessage
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaBroker as BrokerOfContext

from orderflow_events.errors import Reason, UndecodableRecord

logger = logging.getLogger("orderflow_events.dead_letters")


def dead_letter_headers(
    record: ConsumerRecord[Any, Any],
    headers: dict[str, str],
    error: UndecodableRecord,
    group_id: str,
) -> dict[str, str]:
    """The record's own headers plus where it came from and why it cannot be handled.

    The ``x-original-*`` / ``x-exception-*`` names are the ones orderflow's consumers use.
    """
    origin = {
        "x-original-topic": record.topic,
        "x-original-partition": str(record.partition),
        "x-original-offset": str(record.offset),
        "x-original-timestamp": str(record.timestamp),
        "x-original-consumer-group": group_id,
        "x-exception-type": type(error).__name__,
        "x-exception-reason": str(error.reason),
        "x-exception-message": error.detail[:1000],
        "x-exception-first-failure-at": str(int(time.time() * 1000)),
    }
    return {**headers, **origin}


def dead_letters(topic: str, group_id: str) -> ExceptionMiddleware:
    """FastStream middleware: publish records raising :class:`UndecodableRecord` to ``topic``.

    Any other exception is left to the subscriber's ack policy (by default the record is
    delivered again: a database outage is waited out, not dead-lettered).
    """

    async def to_dead_letters(
        error: UndecodableRecord,
        broker: BrokerOfContext,
        message: Any = Context("message"),  # noqa: B008 (FastStream's own idiom)
    ) -> None:
        record, value, headers = _original(message)
        await publish_dead_letter(
            broker, topic, record, value, dead_letter_headers(record, headers, error, group_id)
        )
        logger.warning(
            "dead-lettered the record at %s[%s]@%s to %s: %s",
            record.topic,
            record.partition,
            record.offset,
            topic,
            error,
            extra={  # ids only: what an operator needs to find the record and its conversation
                "reason": str(error.reason),
                "event_id": headers.get("ce_id"),
                "correlation_id": headers.get("correlation_id"),
                "dead_letter_topic": topic,
            },
        )

    async def unparsable(
        error: UnicodeDecodeError,
        broker: BrokerOfContext,
        message: Any = Context("message"),  # noqa: B008 (FastStream's own idiom)
    ) -> None:
        if isinstance(message, StreamMessage):
            raise error  # raised by a handler, not by parsing the record: not the record's fault
        # FastStream's parser decodes every header as UTF-8 before any handler runs.
        poison = UndecodableRecord(Reason.CANNOT_DECODE, "a header is not UTF-8")
        await to_dead_letters(poison, broker, message)

    return ExceptionMiddleware(
        handlers={UndecodableRecord: to_dead_letters, UnicodeDecodeError: unparsable}
    )


async def publish_dead_letter(
    broker: KafkaBroker,
    topic: str,
    record: ConsumerRecord[Any, Any],
    value: bytes | None,
    headers: dict[str, str],
) -> None:
    """Publish the original value and key with ``headers`` to ``topic``."""
    await broker.publish(value or b"", topic, key=record.key or None, headers=headers)


def _original(message: Any) -> tuple[ConsumerRecord[Any, Any], bytes | None, dict[str, str]]:
    """The record, its value and its headers as text, whether FastStream parsed it or not
    (a record whose headers are not UTF-8 never becomes a ``StreamMessage``)."""
    if isinstance(message, StreamMessage):
        return message.raw_message, message.body, dict(message.headers)
    headers = {name: (raw or b"").decode(errors="replace") for name, raw in message.headers}
    return message, message.value, headers
