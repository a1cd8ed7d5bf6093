"""``OrderSubmitted`` CloudEvents in binary content mode, as an upstream service writes them."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from events import KafkaRecord
from events.schemas.orders.submitted import TOPIC

CE_TYPE = "orderflow.orders.OrderSubmitted.v1"


def submission_record(
    source: uuid.UUID | str,
    body: dict[str, Any] | bytes,
    *,
    ce_id: uuid.UUID | None = None,
    topic: str = TOPIC,
) -> KafkaRecord:
    """The record for ``body`` (a dict, or raw bytes for a deliberately broken one) from
    client ``source``; the key is the external reference (or the event id)."""
    event_id = ce_id or uuid.uuid4()
    value = body if isinstance(body, bytes) else json.dumps(body).encode()
    reference = body.get("external_reference") if isinstance(body, dict) else None
    headers = {
        "ce_specversion": "1.0",
        "ce_id": str(event_id),
        "ce_type": CE_TYPE,
        "ce_source": str(source),
        "ce_time": datetime.now(UTC).isoformat(),
        "content-type": "application/json",
        "aggregate_version": "1",
        "correlation_id": str(uuid.uuid4()),
    }
    key = str(reference or event_id).encode()
    return KafkaRecord(topic, key, value, [(k, v.encode()) for k, v in headers.items()])
