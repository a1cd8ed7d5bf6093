"""Purge: export the selected dead letters, then mark them resolved, in that order.

The records are claimed first (pending rows: a replay job holding any of them makes the purge
fail before anything is written), the JSONL copy is written and synced to disk, and only then
does the transaction that resolves them commit. A failed export leaves nothing resolved.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.operations import jobs as store
from consumers.operations.bookkeeping import resolve, write_audit
from consumers.operations.export import write_jsonl
from consumers.operations.planning import Plan


async def purge_plan(
    sessions: async_sessionmaker[AsyncSession],
    plan: Plan,
    *,
    operator: str,
    reason: str,
    export_to: Path,
) -> uuid.UUID:
    """Export and resolve the plan's records; returns the purge job's id."""
    group = plan.selection.group
    records = [p.record for p in plan.records]
    async with sessions.begin() as session:
        job_id = await store.insert_job(
            session,
            {
                "kind": "purge",
                "consumer_group": group,
                "status": "running",
                "operator": operator,
                "reason": reason,
                "selection": plan.selection.to_json(),
                "max_replays": 0,
                "export_path": str(export_to),
            },
        )
        await store.insert_records(session, job_id, plan.records, lambda _: "pending")
        write_jsonl(export_to, records)  # durable copy before anything is resolved
        purged = {(r.partition, r.offset): ("purged", None, False) for r in records}
        await store.set_outcomes(session, job_id, purged)
        await store.set_status(session, job_id, "completed")
        await resolve(session, records, resolution="purged", job_id=job_id)
        details = {"selection": plan.selection.to_json(), "purged": len(records)}
        await write_audit(
            session,
            operator=operator,
            action="purge",
            group=group,
            job_id=job_id,
            reason=reason,
            details={**details, "export": str(export_to)},
        )
    return job_id
