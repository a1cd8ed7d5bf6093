"""Topic and header names of the dead-letter conventions, from the consumer runtime.

One place for the operator side to take them from, so both sides can never drift apart; the
few names the runtime does not define (CloudEvents ids, reason list) are added here.
"""

from __future__ import annotations

from consumers.runtime import (
    EXCEPTION_ATTEMPTS,
    EXCEPTION_FIRST_FAILURE_AT,
    EXCEPTION_MESSAGE,
    EXCEPTION_REASON,
    EXCEPTION_STACKTRACE,
    EXCEPTION_TYPE,
    ORIGINAL_OFFSET,
    ORIGINAL_PARTITION,
    ORIGINAL_TIMESTAMP,
    ORIGINAL_TOPIC,
    REASON_PERMANENT,
    REASON_RETRIES_EXHAUSTED,
    REASON_TRANSIENT,
    REPLAY_COUNT,
    REPLAY_ID,
    RETRY_NOT_BEFORE,
    dead_letter_topic,
    retry_topic,
)
from consumers.runtime import ORIGINAL_CONSUMER_GROUP as ORIGINAL_GROUP
from events import PoisonReason

__all__ = [
    "DEAD_LETTER_SUFFIX",
    "EVENT_ID",
    "EVENT_TYPE",
    "EXCEPTION_ATTEMPTS",
    "EXCEPTION_FIRST_FAILURE_AT",
    "EXCEPTION_MESSAGE",
    "EXCEPTION_REASON",
    "EXCEPTION_STACKTRACE",
    "EXCEPTION_TYPE",
    "KNOWN_REASONS",
    "ORIGINAL_GROUP",
    "ORIGINAL_OFFSET",
    "ORIGINAL_PARTITION",
    "ORIGINAL_TIMESTAMP",
    "ORIGINAL_TOPIC",
    "REPLACED_HEADER_PREFIXES",
    "REPLAY_COUNT",
    "REPLAY_ID",
    "RETRY_NOT_BEFORE",
    "dead_letter_topic",
    "group_of",
    "retry_topic",
]

EVENT_ID = "ce_id"
EVENT_TYPE = "ce_type"

# Headers a replay replaces. x-original-* and x-exception-* stay, so the runtime keeps the
# first failure time and adds up attempts across replays.
REPLACED_HEADER_PREFIXES = ("x-retry-", "x-replay-")

# Reasons the runtime writes; operators may also meet reasons found in the topic itself.
KNOWN_REASONS = (
    *(str(reason) for reason in PoisonReason),
    REASON_PERMANENT,
    REASON_RETRIES_EXHAUSTED,
    REASON_TRANSIENT,
)

DEAD_LETTER_SUFFIX = dead_letter_topic("")


def group_of(dead_letter_topic_name: str) -> str | None:
    """The consumer group owning a dead-letter topic, or None for any other topic."""
    if not dead_letter_topic_name.endswith(DEAD_LETTER_SUFFIX):
        return None
    return dead_letter_topic_name[: -len(DEAD_LETTER_SUFFIX)] or None
