"""Delivery invariants: every committed event reaches its topic in key order, and every
group handles it (or routes it to a retry tier or a dead letter) before committing past it."""

from __future__ import annotations

from collections import Counter, defaultdict

from tests.faults.evidence import Evidence, Group, OutboxRow


def events_missing_on_kafka(e: Evidence) -> list[str]:
    """Every committed outbox row's event id is on its topic."""
    on_kafka = {(r.topic, r.event_id) for r in e.records}
    return [
        f"{row.describe()} committed in the outbox"
        f"{'' if row.published else ' (still unpublished)'} but not on {row.topic}"
        for row in e.outbox
        if (row.topic, row.event_id) not in on_kafka
    ]


def order_violations(e: Evidence) -> list[str]:
    """Per key and topic: one partition, and versions increasing in offset order once
    at-least-once duplicates (an event id seen before) are skipped, as the inbox does."""
    findings: list[str] = []
    partitions: defaultdict[tuple[str, str], set[int]] = defaultdict(set)
    seen: set[tuple[str, str | None]] = set()
    last: dict[tuple[str, str], tuple[int, int]] = {}
    for r in sorted(e.records, key=lambda r: (r.topic, r.partition, r.offset)):
        partitions[(r.topic, r.key)].add(r.partition)
        if (r.topic, r.event_id) in seen:
            continue
        seen.add((r.topic, r.event_id))
        where = f"{r.topic}[{r.partition}] key {r.key}"
        if r.aggregate_version is None:
            findings.append(f"{where}: offset {r.offset} has no aggregate_version header")
            continue
        previous = last.get((r.topic, r.key))
        if previous is not None and r.aggregate_version <= previous[0]:
            findings.append(
                f"{where}: version {r.aggregate_version} (event {r.event_id}) at offset "
                f"{r.offset} after version {previous[0]} at offset {previous[1]}"
            )
            continue
        last[(r.topic, r.key)] = (r.aggregate_version, r.offset)
    findings += [
        f"{topic} key {key} is on partitions {sorted(parts)}"
        for (topic, key), parts in partitions.items()
        if len(parts) > 1
    ]
    return findings


def inbox_missing(e: Evidence) -> list[str]:
    """Every group handled every event of a type it has a handler for."""
    return [
        f"{group.name} never handled {row.describe()}{_fate(e, group.name, row)}"
        for group, row in _unhandled(e)
    ]


def records_skipped(e: Evidence) -> list[str]:
    """No group committed past a record it neither handled, retried nor dead-lettered."""
    findings = []
    for group, row in _unhandled(e):
        if _routed(e, group.name, row.event_id):
            continue
        at = _first_on_kafka(e).get((row.topic, row.event_id))
        committed = e.committed.get((group.name, *at[:2])) if at else None
        if at is not None and committed is not None and committed > at[2]:
            findings.append(
                f"{group.name} committed {row.topic}[{at[1]}] up to {committed} past "
                f"{row.describe()} at offset {at[2]}, which it never handled or routed"
            )
    return findings


def _unhandled(e: Evidence) -> list[tuple[Group, OutboxRow]]:
    return [
        (group, row)
        for group in e.groups
        for row in e.outbox
        if row.topic in group.topics
        and row.event_type in group.handles
        and (group.name, row.event_id) not in e.inbox
    ]


def _routed(e: Evidence, group: str, event_id: str) -> list[str]:
    """The group's retry and dead-letter topics holding a copy of ``event_id``."""
    return [
        r.topic
        for r in (*e.retries, *e.dead_letters)
        if r.event_id == event_id and r.topic.startswith(f"{group}.")
    ]


def _fate(e: Evidence, group: str, row: OutboxRow) -> str:
    routed = _routed(e, group, row.event_id)
    return f" (routed to {', '.join(routed)})" if routed else " (never routed)"


def _first_on_kafka(e: Evidence) -> dict[tuple[str, str | None], tuple[str, int, int]]:
    """(topic, event id) → (topic, partition, offset) of its first copy."""
    first: dict[tuple[str, str | None], tuple[str, int, int]] = {}
    for r in sorted(e.records, key=lambda r: (r.topic, r.partition, r.offset)):
        first.setdefault((r.topic, r.event_id), (r.topic, r.partition, r.offset))
    return first


def dead_letters(e: Evidence) -> list[str]:
    """Nothing on any dead-letter topic."""
    return [
        f"{r.topic}: {r.event_type} {r.event_id} (key {r.key}) — {r.failure}"
        for r in e.dead_letters
    ]


def quarantined(e: Evidence) -> list[str]:
    """Nothing quarantined."""
    return list(e.quarantined)


def outbox_parked(e: Evidence) -> list[str]:
    """No outbox row parked (a refused record; never an infrastructure fault)."""
    return [f"{row.describe()} parked in the outbox" for row in e.outbox if row.parked]


def outbox_unpublished(e: Evidence) -> list[str]:
    """Every outbox row published."""
    return [
        f"{row.describe()} still unpublished"
        for row in e.outbox
        if not row.published and not row.parked
    ]


def dead_letter_causes(e: Evidence) -> dict[str, int]:
    """How many dead letters each (topic, cause) produced: the first line of the failure."""
    causes = Counter(
        f"{r.topic}: {(r.failure or 'no reason').splitlines()[0]}" for r in e.dead_letters
    )
    return dict(causes.most_common())
