"""The inbox id a dead letter would be deduplicated by, derived as the group's runtime does.

A replay is a no-op for a handler when the group's inbox already holds the record's id. Most
groups key their inbox by the event id (``ce_id``); a group with a ``Consumer.inbox_key`` keys
it by what that function makes of the decoded envelope (the intake: ``ce_source`` and
``ce_id``). Looking such a group's inbox up by ``ce_id`` would never find anything.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from consumers.operations import conventions as c
from consumers.operations.records import DeadLetter
from consumers.runtime import InboxKey
from events import decode_record

InboxKeys = Mapping[str, InboxKey]
"""Deployed group id → its ``Consumer.inbox_key``; groups keyed by event id are left out."""


def inbox_id_of(record: DeadLetter, inbox_key: InboxKey | None) -> uuid.UUID | None:
    """The id under which the group's inbox would hold ``record``, or None when it cannot
    hold it: the runtime only records events it could decode, so neither can we."""
    if inbox_key is None:
        return record.event_id
    try:
        envelope = decode_record(record.value, record.headers, _original_topic(record)).envelope
        return inbox_key(envelope)
    except Exception:  # a poison dead letter (or a key that refuses it) is simply not in it
        return None


def _original_topic(record: DeadLetter) -> str:
    """The topic the group read the record from, as the runtime decoded it."""
    return record.header(c.ORIGINAL_TOPIC) or ""
