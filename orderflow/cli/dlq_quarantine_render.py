"""What ``orderflow dlq quarantine`` prints: a table, and one record in full."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from orderflow.cli.dlq_render import when
from orderflow.cli.tables import table
from orderflow.cli.terminal import printable, printable_lines

if TYPE_CHECKING:
    from consumers.operations.quarantine_records import QuarantinedRecord

PREVIEW_CHARS = 300


def table_of(records: Sequence[QuarantinedRecord], include_resolved: bool) -> str:
    """``quarantine ls``."""
    if not records:
        return "no quarantined records" if include_resolved else "no unresolved quarantined records"
    rows = [
        (
            r.id,
            r.group,
            f"{r.topic}[{r.partition}]@{r.offset}",
            r.size,
            r.reason,
            r.failure_reason,
            r.event_type,
            when(r.quarantined_at),
            r.resolution or "-",
        )
        for r in records
    ]
    headers = ("ID", "GROUP", "FROM", "BYTES", "REASON", "FAILURE", "EVENT TYPE", "AT", "RESOLVED")
    unresolved = sum(1 for r in records if r.resolution is None)
    return f"{table(headers, rows)}\n{unresolved} unresolved quarantined records"


def quarantine_note(counts: dict[str, int], prefix: str) -> str:
    """A line for ``dlq ls`` when records wait in the quarantine (else nothing)."""
    waiting = {g: n for g, n in counts.items() if n and (not prefix or g.startswith(prefix))}
    if not waiting:
        return ""
    per_group = ", ".join(f"{g}: {n}" for g, n in sorted(waiting.items()))
    return (
        f"quarantined (no dead letter could be written) — {per_group}; "
        "see `orderflow dlq quarantine ls`\n"
    )


def summary_json(record: QuarantinedRecord) -> dict[str, Any]:
    """``quarantine ls --json``: everything but the bytes."""
    full = record.to_json()
    return {k: v for k, v in full.items() if k not in ("key_base64", "value_base64", "headers")}


def detail(record: QuarantinedRecord) -> str:
    """``quarantine show``."""
    lines = [
        f"quarantined record {record.id} of group {record.group}",
        f"  from:        {record.topic}[{record.partition}]@{record.offset}",
        f"  failed with: {record.failure_reason}: {record.exception_type}: {record.message}",
        f"  kept here:   {record.reason}, its dead letter could not be written: {record.rejection}",
        f"  at:          {when(record.quarantined_at)}",
        f"  key:         {_text(record.key)} ({record.key_size} bytes)",
        f"  value:       {record.value_size} bytes, sha256 {record.value_sha256}"
        + ("" if record.complete else f", only the first {len(record.value or b'')} kept"),
        f"  resolution:  {_resolution(record)}",
        "  headers:",
        *(f"    {name}: {_text(value)}" for name, value in record.headers),
        "  payload:",
    ]
    payload = printable_lines("    " + _payload(record))
    return "\n".join([*(printable(line) for line in lines), payload])


def _resolution(record: QuarantinedRecord) -> str:
    if record.resolution is None:
        return "unresolved"
    return f"{record.resolution} by {record.resolved_by} at {when(record.resolved_at)}"


def _payload(record: QuarantinedRecord) -> str:
    value = record.value or b""
    try:
        parsed = json.loads(value) if record.complete else None
    except ValueError:
        parsed = None
    if parsed is not None:
        return json.dumps(parsed, indent=2)[: PREVIEW_CHARS * 10]  # ASCII: \u escapes
    return _text(value) + (" …" if len(value) > PREVIEW_CHARS else "")


def _text(raw: bytes | None) -> str:
    if raw is None:
        return "(null)"
    return repr(raw[:PREVIEW_CHARS].decode(errors="replace"))
