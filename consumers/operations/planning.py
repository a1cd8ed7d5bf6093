"""What an operation would touch: the selected, unresolved dead letters and what each faces."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.operations.bookkeeping import processed_by, replays_recorded, resolved_in
from consumers.operations.conventions import KNOWN_REASONS, dead_letter_topic
from consumers.operations.errors import EmptySelection, InvalidSelection
from consumers.operations.inbox_ids import inbox_id_of
from consumers.operations.loop_guard import LoopGuard
from consumers.operations.reader import DeadLetterReader
from consumers.operations.records import DeadLetter
from consumers.operations.selection import Selection
from consumers.runtime import InboxKey


@dataclass(frozen=True)
class PlannedRecord:
    """One selected dead letter: how often it was replayed and whether it may be again."""

    record: DeadLetter
    replays_so_far: int
    already_processed: bool
    allowed: bool


@dataclass(frozen=True)
class Plan:
    """The records an operation applies to, and what the operator should expect."""

    selection: Selection
    records: tuple[PlannedRecord, ...]
    skipped_resolved: int

    @property
    def total(self) -> int:
        """Selected records (resolved ones excluded unless asked for)."""
        return len(self.records)

    @property
    def to_send(self) -> int:
        """Records a replay would publish."""
        return sum(r.allowed for r in self.records)

    @property
    def refused(self) -> int:
        """Records the loop guard refuses."""
        return self.total - self.to_send

    @property
    def predicted_duplicates(self) -> int:
        """Records to publish that the consumer's inbox already holds (no-ops on arrival)."""
        return sum(r.allowed and r.already_processed for r in self.records)


async def plan_for(
    reader: DeadLetterReader,
    sessions: async_sessionmaker[AsyncSession],
    selection: Selection,
    *,
    guard: LoopGuard | None = None,
    include_resolved: bool = False,
    inbox_key: InboxKey | None = None,
) -> Plan:
    """Scan the group's dead-letter topic and plan ``selection``; never empty.

    ``inbox_key`` is the group's ``Consumer.inbox_key`` (None: its inbox is keyed by event id):
    a record is already processed when the inbox holds the id the runtime would dedupe it by.

    Raises :class:`EmptySelection` when nothing matches, and :class:`InvalidSelection` for a
    failure reason that is neither known nor present in the topic.
    """
    guard = guard or LoopGuard()
    topic = dead_letter_topic(selection.group)
    matched = [r async for r in reader.scan(selection)]
    async with sessions() as session:
        resolved = await resolved_in(session, topic)
        replays = await replays_recorded(session, topic)
        kept = [r for r in matched if include_resolved or (r.partition, r.offset) not in resolved]
        inbox_ids = [inbox_id_of(r, inbox_key) for r in kept]
        processed = await processed_by(session, selection.group, inbox_ids)
    if not kept:
        await _explain_empty(reader, selection, len(matched))
    planned = []
    for record, inbox_id in zip(kept, inbox_ids, strict=True):
        so_far = record.replay_count + replays.get((record.partition, record.offset), 0)
        planned.append(PlannedRecord(record, so_far, inbox_id in processed, guard.allows(so_far)))
    return Plan(selection, tuple(planned), len(matched) - len(kept))


async def _explain_empty(reader: DeadLetterReader, selection: Selection, resolved: int) -> None:
    unknown = [r for r in selection.reasons if r not in KNOWN_REASONS]
    if unknown:
        present = {r.reason async for r in reader.scan(Selection(selection.group))}
        if not set(unknown) <= present:
            choices = ", ".join(sorted(set(KNOWN_REASONS) | present))
            raise InvalidSelection(
                f"unknown failure reason {unknown[0]!r}; choose one of: {choices}"
            )
    hint = f" ({resolved} matching records are already resolved)" if resolved else ""
    raise EmptySelection(
        f"no unresolved dead letters match {selection.describe()}{hint}; "
        f"run `orderflow dlq ls --group {selection.group}` to see what is there"
    )
