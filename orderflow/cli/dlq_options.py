"""The options of ``orderflow dlq``; ``Selectors`` is the bundle replay, purge and export share."""

from __future__ import annotations

import getpass
import os
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from orderflow.cli.errors import UserError
from orderflow.cli.times import parse_time

if TYPE_CHECKING:
    from consumers.operations import Selection
    from consumers.runtime import InboxKey
    from orderflow.settings import Settings

GroupOpt = Annotated[str, typer.Option("--group", "-g", help="Consumer group, e.g. notifications.")]
OnlyGroupOpt = Annotated[str | None, typer.Option("--group", "-g", help="Only this group.")]
FailureOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--failure", help="Failure reason (x-exception-reason), e.g. permanent. Repeatable."
    ),
]
TypeOpt = Annotated[
    list[str] | None,
    typer.Option("--event-type", help="Event type, e.g. orders.OrderPlaced or ….v1. Repeatable."),
]
KeyOpt = Annotated[list[str] | None, typer.Option("--key", help="Record key. Repeatable.")]
EventIdOpt = Annotated[list[str] | None, typer.Option("--event-id", help="Event id. Repeatable.")]
SinceOpt = Annotated[
    str | None, typer.Option(help="Dead-lettered at or after: ISO-8601 or a duration ago (2h).")
]
UntilOpt = Annotated[
    str | None, typer.Option(help="Dead-lettered at or before: ISO-8601 or a duration ago (30m).")
]
PartitionOpt = Annotated[
    list[int] | None, typer.Option("--partition", "-p", help="Dead-letter partition. Repeatable.")
]
OffsetsOpt = Annotated[
    str | None, typer.Option(help="Dead-letter offsets: N, FIRST-LAST, FIRST- or -LAST.")
]
OperatorOpt = Annotated[
    str | None, typer.Option(help="Who is acting, for the audit trail (default: your OS user).")
]
WhyOpt = Annotated[str, typer.Option("--reason", help="Why (recorded in the audit trail).")]
ResolvedOpt = Annotated[bool, typer.Option(help="Also select records already replayed or purged.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


@dataclass(frozen=True)
class Selectors:
    """The group and the selectors of the records a command acts on (all ANDed together)."""

    group: GroupOpt
    failure: FailureOpt = None
    event_type: TypeOpt = None
    key: KeyOpt = None
    event_id: EventIdOpt = None
    since: SinceOpt = None
    until: UntilOpt = None
    partition: PartitionOpt = None
    offsets: OffsetsOpt = None

    def selection(self, settings: Settings) -> Selection:
        """The operations' selection; ``UserError`` names a malformed selector."""
        from consumers.operations import OffsetRange, Selection, parse_offsets

        return Selection(
            group=full_group(settings, self.group),
            reasons=tuple(self.failure or ()),
            event_types=tuple(self.event_type or ()),
            keys=tuple(self.key or ()),
            event_ids=tuple(event_id(e) for e in self.event_id or ()),
            since=parse_time(self.since, option="--since") if self.since else None,
            until=parse_time(self.until, option="--until") if self.until else None,
            partitions=tuple(self.partition or ()),
            offsets=parse_offsets(self.offsets) if self.offsets else OffsetRange(),
        )


def full_group(settings: Settings, name: str) -> str:
    """The full group id: the deployment's prefixes are added when missing."""
    from orderflow.wiring.connections import group_id

    return group_id(settings, name)


def full_topic(settings: Settings, name: str) -> str:
    """A topic of this deployment: its prefix is added when missing (a replay never writes
    into another deployment's topics)."""
    return settings.deployment.namespace().within(name)


def deployment_groups(settings: Settings) -> list[str]:
    """The group ids of this deployment's consumers (whose dead letters ``dlq ls`` reads)."""
    from orderflow.wiring.deployment import deployed_consumers

    return [consumer.name for consumer in deployed_consumers(settings).values()]


def deployment_inbox_keys(settings: Settings) -> dict[str, InboxKey]:
    """The inbox key of each of this deployment's groups that has one, by group id (what a
    replay's "already processed" looks their inboxes up by)."""
    from orderflow.wiring.deployment import deployed_inbox_keys

    return deployed_inbox_keys(settings)


def group_prefix_of(settings: Settings) -> str:
    """What this deployment's group ids start with."""
    from orderflow.wiring.connections import group_prefix

    return group_prefix(settings)


def event_id(text: str) -> str:
    """An event id as the ``ce_id`` header spells it; ``UserError`` for anything else."""
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise UserError(
            f"bad --event-id {text!r}: expected a UUID such as the ce_id header"
        ) from None


def operator_name(name: str | None) -> str:
    """Who acts, for the audit trail: ``--operator``, else the OS user."""
    if name and name.strip():
        return name.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid:{os.getuid()}"


def reason_text(text: str) -> str:
    """A ``--reason`` that says something; ``UserError`` for a blank one."""
    if not text.strip():
        raise UserError('--reason must say why, e.g. --reason "SMTP outage fixed, INC-123"')
    return text.strip()
