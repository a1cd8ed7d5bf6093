"""Header names shared by the runtime and the operator tooling (``orderflow dlq``).

A retry or dead-letter record keeps the original key, value and headers and adds these string
headers. The ``x-original-*`` values always point at the FIRST record that failed, however many
times it was retried or replayed since.
"""

from __future__ import annotations

ORIGINAL_TOPIC = "x-original-topic"
ORIGINAL_PARTITION = "x-original-partition"
ORIGINAL_OFFSET = "x-original-offset"
ORIGINAL_TIMESTAMP = "x-original-timestamp"
ORIGINAL_CONSUMER_GROUP = "x-original-consumer-group"

EXCEPTION_TYPE = "x-exception-type"
EXCEPTION_REASON = "x-exception-reason"
EXCEPTION_MESSAGE = "x-exception-message"
EXCEPTION_STACKTRACE = "x-exception-stacktrace"
EXCEPTION_ATTEMPTS = "x-exception-attempts"
EXCEPTION_FIRST_FAILURE_AT = "x-exception-first-failure-at"

RETRY_TIER = "x-retry-tier"
RETRY_NOT_BEFORE = "x-retry-not-before"

REPLAY_ID = "x-replay-id"
REPLAY_COUNT = "x-replay-count"

ORIGINAL_HEADERS = (
    ORIGINAL_TOPIC,
    ORIGINAL_PARTITION,
    ORIGINAL_OFFSET,
    ORIGINAL_TIMESTAMP,
    ORIGINAL_CONSUMER_GROUP,
)
EXCEPTION_HEADERS = (
    EXCEPTION_TYPE,
    EXCEPTION_REASON,
    EXCEPTION_MESSAGE,
    EXCEPTION_STACKTRACE,
    EXCEPTION_ATTEMPTS,
    EXCEPTION_FIRST_FAILURE_AT,
)
RETRY_HEADERS = (RETRY_TIER, RETRY_NOT_BEFORE)

# Reasons in x-exception-reason besides the poison reasons of events.PoisonReason.
REASON_TRANSIENT = "transient"
REASON_PERMANENT = "permanent"
REASON_RETRIES_EXHAUSTED = "retries_exhausted"
