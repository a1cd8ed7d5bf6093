"""The consumer runtime: decoding, inbox dedupe, retry tiers, dead letters, offsets, metrics.

Handlers are plain async functions of a typed event; everything around them lives here. The
topic names and header names below are shared with the operator tooling (``orderflow dlq``).
"""

from consumers.runtime.consumer import ConsumerRuntime
from consumers.runtime.dead_letters import failure_record, header_value, not_before
from consumers.runtime.errors import (
    RECORD_REJECTIONS,
    FailureClass,
    PermanentError,
    TransientError,
    classify,
    describe,
    infrastructure_cause,
)
from consumers.runtime.group_topics import ensure_group_topics, group_topic_names
from consumers.runtime.handlers import (
    BatchScope,
    Consumer,
    Effect,
    EffectContext,
    Handler,
    InboxKey,
    MessageContext,
)
from consumers.runtime.headers import (
    EXCEPTION_ATTEMPTS,
    EXCEPTION_FIRST_FAILURE_AT,
    EXCEPTION_HEADERS,
    EXCEPTION_MESSAGE,
    EXCEPTION_REASON,
    EXCEPTION_STACKTRACE,
    EXCEPTION_TYPE,
    ORIGINAL_CONSUMER_GROUP,
    ORIGINAL_HEADERS,
    ORIGINAL_OFFSET,
    ORIGINAL_PARTITION,
    ORIGINAL_TIMESTAMP,
    ORIGINAL_TOPIC,
    REASON_PERMANENT,
    REASON_RETRIES_EXHAUSTED,
    REASON_TRANSIENT,
    REPLAY_COUNT,
    REPLAY_ID,
    RETRY_HEADERS,
    RETRY_NOT_BEFORE,
    RETRY_TIER,
)
from consumers.runtime.inbox import inbox, metadata
from consumers.runtime.last_errors import consumer_errors
from consumers.runtime.ledger import OutcomeLedger
from consumers.runtime.policy import RetryPolicy
from consumers.runtime.quarantine import quarantine
from consumers.runtime.startup import until_infrastructure_answers
from consumers.runtime.topics import (
    DEFAULT_TIER_DELAYS,
    dead_letter_topic,
    retry_topic,
    retry_topics,
    tier_of,
)

__all__ = [
    "DEFAULT_TIER_DELAYS",
    "EXCEPTION_ATTEMPTS",
    "EXCEPTION_FIRST_FAILURE_AT",
    "EXCEPTION_HEADERS",
    "EXCEPTION_MESSAGE",
    "EXCEPTION_REASON",
    "EXCEPTION_STACKTRACE",
    "EXCEPTION_TYPE",
    "ORIGINAL_CONSUMER_GROUP",
    "ORIGINAL_HEADERS",
    "ORIGINAL_OFFSET",
    "ORIGINAL_PARTITION",
    "ORIGINAL_TIMESTAMP",
    "ORIGINAL_TOPIC",
    "REASON_PERMANENT",
    "REASON_RETRIES_EXHAUSTED",
    "REASON_TRANSIENT",
    "RECORD_REJECTIONS",
    "REPLAY_COUNT",
    "REPLAY_ID",
    "RETRY_HEADERS",
    "RETRY_NOT_BEFORE",
    "RETRY_TIER",
    "BatchScope",
    "Consumer",
    "ConsumerRuntime",
    "Effect",
    "EffectContext",
    "FailureClass",
    "Handler",
    "InboxKey",
    "MessageContext",
    "OutcomeLedger",
    "PermanentError",
    "RetryPolicy",
    "TransientError",
    "classify",
    "consumer_errors",
    "dead_letter_topic",
    "describe",
    "ensure_group_topics",
    "failure_record",
    "group_topic_names",
    "header_value",
    "inbox",
    "infrastructure_cause",
    "metadata",
    "not_before",
    "quarantine",
    "retry_topic",
    "retry_topics",
    "tier_of",
    "until_infrastructure_answers",
]
