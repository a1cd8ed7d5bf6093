"""Operator tooling for dead letters: inspect, replay, purge and export, safely.

Kafka topics are append-only, so what has been dealt with ("resolved") is bookkept in
PostgreSQL (schema ``messaging``), together with durable replay jobs and an audit trail.
"""

from consumers.operations.desk import DeadLetterDesk, JobView
from consumers.operations.errors import (
    EmptySelection,
    InvalidSelection,
    JobConflict,
    JobNotFound,
    JobNotResumable,
    OperationError,
    UnknownGroup,
)
from consumers.operations.jobs import Job
from consumers.operations.loop_guard import DEFAULT_MAX_REPLAYS, LoopGuard
from consumers.operations.planning import Plan, PlannedRecord
from consumers.operations.rate import TokenBucket, parse_rate
from consumers.operations.records import DeadLetter
from consumers.operations.replay import ReplayRequest
from consumers.operations.selection import OffsetRange, Selection, parse_offsets
from consumers.operations.summary import SummaryRow
from consumers.operations.tables import metadata

__all__ = [
    "DEFAULT_MAX_REPLAYS",
    "DeadLetter",
    "DeadLetterDesk",
    "EmptySelection",
    "InvalidSelection",
    "Job",
    "JobConflict",
    "JobNotFound",
    "JobNotResumable",
    "JobView",
    "LoopGuard",
    "OffsetRange",
    "OperationError",
    "Plan",
    "PlannedRecord",
    "ReplayRequest",
    "Selection",
    "SummaryRow",
    "TokenBucket",
    "UnknownGroup",
    "metadata",
    "parse_offsets",
    "parse_rate",
]
