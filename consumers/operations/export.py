"""JSONL exports: one dead letter per line, enough to inspect or re-publish it later."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from consumers.operations.records import DeadLetter


def to_json(record: DeadLetter) -> dict[str, Any]:
    """A JSON-ready form: coordinates, key, headers and value (text, or base64 if binary)."""
    try:
        value: str = record.value.decode()
        encoding = "utf-8"
    except UnicodeDecodeError:
        value, encoding = base64.b64encode(record.value).decode(), "base64"
    return {
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
        "timestamp": record.dead_lettered_at.isoformat(),
        "group": record.group,
        "reason": record.reason,
        "event_type": record.event_type,
        "event_id": str(record.event_id) if record.event_id else None,
        "key": record.key_text,
        "headers": [[n, v.decode(errors="replace")] for n, v in record.headers if v is not None],
        "value": value,
        "value_encoding": encoding,
    }


def write_jsonl(target: Path | TextIO, records: Iterable[DeadLetter]) -> int:
    """Write ``records`` as JSON lines; returns the count (see :func:`write_json_lines`)."""
    return write_json_lines(target, (to_json(record) for record in records))


def write_json_lines(target: Path | TextIO, rows: Iterable[dict[str, Any]]) -> int:
    """Write ``rows`` as JSON lines; returns the count.

    A path is created (never overwritten) and flushed to disk before returning, so a purge
    only resolves records whose copy is durable. A stream (stdout) is written as is.
    """
    if not isinstance(target, Path):
        return _write(target, rows)
    with target.open("x", encoding="utf-8") as out:
        count = _write(out, rows)
        out.flush()
        os.fsync(out.fileno())
    return count


def _write(out: TextIO, rows: Iterable[dict[str, Any]]) -> int:
    count = 0
    for row in rows:
        # ASCII with \u escapes: the same JSON, and nothing a terminal obeys when sent to stdout.
        out.write(json.dumps(row) + "\n")
        count += 1
    return count
