"""Consumer-driven contracts: what each downstream team reads, checked against our schemas.

A team registers ``contracts/consumers/<team>.yaml``: per subscription the topic, the event
type, the versions it may meet on the wire, and the fields it uses with the JSON types it can
handle. ``orderflow events check`` then refuses a schema change that would break a team, naming
the team, the event and the field. Fields are checked against the newest version on the topic:
that is what a reader gets after upcasting (the subscriber kit always delivers it).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from events.contracts.fields import branches, flatten_fields, type_of
from events.contracts.json_schema import METADATA, Document

CONSUMERS_DIR = Path(__file__).resolve().parents[2] / "contracts" / "consumers"
JsonType = Literal["string", "integer", "number", "boolean", "array", "object", "null"]


class FieldUse(BaseModel):
    """How a team reads one field: the JSON types it handles, whether it copes with absence."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: tuple[JsonType, ...]
    format: str | None = None
    optional: bool = False

    @field_validator("type", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value


class Subscription(BaseModel):
    """One event type a team reads from one topic."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    topic: str
    event: str
    versions: tuple[int, ...] = Field(min_length=1)
    fields: dict[str, FieldUse] = Field(min_length=1)


class ConsumerContract(BaseModel):
    """A downstream team's registration: who they are and what they read."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    team: str = Field(min_length=1)
    contact: str = ""
    subscriptions: tuple[Subscription, ...] = Field(min_length=1)


class ContractFileError(ValueError):
    """A contract file that cannot be read; the message names the file and the problem."""


@dataclass(frozen=True)
class ConsumerBreak:
    """One way our schemas would break a registered team."""

    team: str
    event_type: str
    version: int | None
    field: str
    problem: str

    def __str__(self) -> str:
        at = f" v{self.version}" if self.version is not None else ""
        return (
            f"team {self.team!r} reads {self.event_type}{at} field {self.field!r}: {self.problem}"
        )


def load_contracts(directory: Path = CONSUMERS_DIR) -> list[ConsumerContract]:
    """Every ``*.yaml`` contract, sorted by file name; raises :class:`ContractFileError`."""
    contracts = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            contracts.append(ConsumerContract.model_validate(yaml.safe_load(path.read_text())))
        except (yaml.YAMLError, ValidationError) as exc:
            raise ContractFileError(f"{path.name}: {_first_line(exc)}") from None
    return contracts


def check_consumers(
    documents: list[Document], contracts: list[ConsumerContract]
) -> list[ConsumerBreak]:
    """Every way the schema ``documents`` would break one of ``contracts``."""
    history: dict[tuple[str, str], dict[int, Document]] = defaultdict(dict)
    for document in documents:
        meta = document[METADATA]
        history[(meta["event_type"], meta["topic"])][int(meta["version"])] = document
    breaks = []
    for contract in contracts:
        for sub in contract.subscriptions:
            versions = history.get((sub.event, sub.topic))
            if not versions:
                problem = f"{sub.event} is not published on {sub.topic}"
                breaks.append(ConsumerBreak(contract.team, sub.event, None, "<event>", problem))
                continue
            breaks.extend(_check_subscription(contract.team, sub, versions))
    return breaks


def _check_subscription(
    team: str, sub: Subscription, versions: dict[int, Document]
) -> list[ConsumerBreak]:
    found = [
        ConsumerBreak(team, sub.event, version, "<version>", "this version is not published")
        for version in sub.versions
        if version not in versions
    ]
    newest = max(versions)
    fields = flatten_fields(versions[newest])
    for path, use in sub.fields.items():
        field = fields.get(path)
        if field is None:
            found.append(ConsumerBreak(team, sub.event, newest, path, "removed"))
            continue
        found.extend(
            ConsumerBreak(team, sub.event, newest, path, problem)
            for problem in _field_problems(field.schema, field.required, use)
        )
    return found


def _field_problems(schema: dict[str, Any], required: bool, use: FieldUse) -> list[str]:
    problems = []
    sent = {type_of(branch) for branch in branches(schema)}
    if not sent <= set(use.type):
        problems.append(f"we may send {sorted(sent)}, they handle {sorted(use.type)}")
    if not required and not use.optional:
        problems.append("they need it, but it is optional")
    formats = {b.get("format") for b in branches(schema) if type_of(b) != "null"}
    if use.format is not None and formats != {use.format}:
        problems.append(f"format {sorted(map(str, formats))}, they expect {use.format}")
    return problems


def readers(contracts: list[ConsumerContract], event_type: str | None = None) -> list[str]:
    """One line per (team, subscription): who reads which fields of what."""
    lines = []
    for contract in contracts:
        for sub in contract.subscriptions:
            if event_type is None or sub.event == event_type:
                versions = ",".join(f"v{v}" for v in sub.versions)
                lines.append(
                    f"{contract.team:<16} {sub.topic:<24} {sub.event:<28} {versions:<8} "
                    f"{', '.join(sub.fields)}"
                )
    return lines


def _first_line(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        error = exc.errors()[0]
        where = ".".join(map(str, error["loc"])) or "<file>"
        return f"{where}: {error['msg']}"
    return str(exc).splitlines()[0]
