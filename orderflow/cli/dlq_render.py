"""What ``orderflow dlq`` prints: tables, plans, outcomes, one dead letter in full."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from orderflow.cli.tables import table
from orderflow.cli.terminal import printable, printable_lines

if TYPE_CHECKING:
    from consumers.operations import JobView, Plan, SummaryRow
    from consumers.operations.inspection import RecordDetail


def when(moment: datetime | None) -> str:
    """A compact UTC time, or ``-``."""
    return moment.strftime("%Y-%m-%d %H:%M:%SZ") if moment else "-"


def summary(rows: Sequence[SummaryRow]) -> str:
    """``dlq ls`` as a table with a total line."""
    if not rows:
        return "no unresolved dead letters"
    body = table(
        ("GROUP", "REASON", "EVENT TYPE", "COUNT", "OLDEST", "NEWEST"),
        [(r.group, r.reason, r.event_type, r.count, when(r.oldest), when(r.newest)) for r in rows],
    )
    return f"{body}\n{sum(r.count for r in rows)} unresolved dead letters"


def plan(p: Plan, destination: str) -> str:
    """The dry-run plan of a replay."""
    lines = [
        f"selection:            {p.selection.describe()}",
        f"matching records:     {p.total}"
        + (
            f" (+{p.skipped_resolved} already resolved, not included)" if p.skipped_resolved else ""
        ),
        f"would publish:        {p.to_send} to {destination}",
        f"refused (loop guard): {p.refused}",
        f"already processed:    {p.predicted_duplicates} (in the consumer's inbox: its handler"
        " skips them; unfinished after-commit effects such as unsent emails still run)",
    ]
    return "\n".join(lines)


def job_line(view: JobView) -> list[object]:
    """One row of ``dlq jobs``."""
    job, counts = view.job, view.outcomes
    status = job.status + (
        " (stale: no process holds it)" if job.status == "running" and not view.live else ""
    )
    done = sum(n for k, n in counts.items() if k not in ("pending", "already_processed"))
    total = done + counts.get("pending", 0)
    return [
        job.id,
        job.kind,
        job.group,
        status,
        f"{done}/{total}",
        job.operator,
        when(job.created_at),
        job.reason,
    ]


def jobs(views: Sequence[JobView]) -> str:
    """``dlq jobs`` as a table."""
    if not views:
        return "no jobs yet"
    headers = ("JOB", "KIND", "GROUP", "STATUS", "DONE", "OPERATOR", "CREATED", "REASON")
    return table(headers, [job_line(v) for v in views])


def outcome(view: JobView) -> str:
    """What a job did, one line per outcome."""
    c = view.outcomes
    parts = [f"job {view.job.id}: {view.job.status}"]
    for key in (
        "replayed",
        "purged",
        "refused_loop_guard",
        "failed",
        "missing",
        "cancelled",
        "pending",
    ):
        if c.get(key):
            parts.append(f"  {key.replace('_', ' ')}: {c[key]}")
    if c.get("replayed"):
        parts.append(f"  of which already in the consumer's inbox: {c['already_processed']}")
    return "\n".join(parts)


def job_json(view: JobView) -> dict[str, Any]:
    """A JSON-ready job for ``--json``."""
    job = view.job
    return {
        "id": str(job.id),
        "kind": job.kind,
        "group": job.group,
        "status": job.status,
        "live": view.live,
        "operator": job.operator,
        "reason": job.reason,
        "selection": job.selection,
        "destination": job.destination,
        "rate_per_second": job.rate_per_second,
        "max_replays": job.max_replays,
        "force": job.force,
        "export_path": job.export_path,
        "outcomes": view.outcomes,
        "created_at": job.created_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


def detail(d: RecordDetail) -> str:
    """``dlq show`` for one dead letter."""
    h = d.record.header_map()
    return "\n".join(
        [
            *(printable(line) for line in _overview(d, h)),
            "headers",
            *(printable(f"  {n}: {v}") for n, v in h.items() if n != "x-exception-stacktrace"),
            "payload",
            _indent(printable_lines(_payload(d))),
            "stack trace",
            _indent(printable_lines(h.get("x-exception-stacktrace", "(none)"))),
            "replay history",
            *(printable(line) for line in _history(d)),
        ]
    )


def detail_json(d: RecordDetail) -> dict[str, Any]:
    """``dlq show --json`` for one dead letter."""
    from consumers.operations.export import to_json

    return {
        **to_json(d.record),
        "payload": d.payload,
        "resolution": d.resolution,
        "history": [vars(e) for e in d.history],
    }


def _overview(d: RecordDetail, h: dict[str, str]) -> list[str]:
    r = d.record
    original = " ".join(
        (
            h.get("x-original-topic", "?"),
            "partition",
            h.get("x-original-partition", "?"),
            "offset",
            h.get("x-original-offset", "?"),
        )
    )
    error = f"{h.get('x-exception-type', '?')}: {h.get('x-exception-message', '')}"
    first = h.get("x-exception-first-failure-at", "?")
    return [
        f"dead letter      {r.topic} partition {r.partition} offset {r.offset}"
        f"  ({when(r.dead_lettered_at)})",
        f"status           {d.resolution or 'unresolved'}",
        f"original         {original}  group {r.group}",
        f"event            {r.event_type}  id {r.event_id}",
        f"key              {r.key_text}",
        f"failure          {r.reason}: {error}",
        f"attempts         {r.attempts}  first failure {first}",
        f"replays so far   {r.replay_count}",
    ]


def _payload(d: RecordDetail) -> str:
    if d.payload is not None:
        return json.dumps(d.payload, indent=2)
    return f"(cannot decode: {d.decode_error})\n{d.record.value.decode(errors='replace')}"


def _history(d: RecordDetail) -> list[str]:
    if not d.history:
        return ["  (never replayed or purged)"]
    return [
        f"  {when(e.at)}  job {e.job_id}  {e.kind} by {e.operator}: {e.outcome}"
        + ("" if e.same_record else "  (another dead letter of this event)")
        for e in d.history
    ]


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.rstrip().splitlines())
