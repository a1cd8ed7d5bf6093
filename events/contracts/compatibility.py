"""The compatibility gate: BACKWARD_TRANSITIVE over the committed schema history.

For every event type, each version must be readable-compatible with *every* earlier version
on the same topic: a reader built on the new version must accept any payload written with an
older one. Adding optional fields is fine; removing a field, changing its type or tightening
its constraints, adding a required field or making an optional one required is not. A
breaking change needs a new event published on a new major topic (``...v2``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from events.contracts.fields import Schema, branches, inline_refs, type_label, type_of
from events.contracts.json_schema import METADATA, Document

REMOVED = "a field may not be removed"
RETYPED = "a field may not change type (widening, e.g. adding null, is allowed)"
ADDED_REQUIRED = "a new field must be optional (have a default)"
MADE_REQUIRED = "an optional field may not become required"
TIGHTENED = "a field's constraints may not be tightened"
KEY_CHANGED = "the record key may not change (per-aggregate ordering depends on it)"
FIX = "make the change compatible, or publish a new event on a new major topic"

_LOWER_BOUNDS = ("minLength", "minimum", "exclusiveMinimum", "minItems")
_UPPER_BOUNDS = ("maxLength", "maximum", "exclusiveMaximum", "maxItems")


@dataclass(frozen=True)
class Violation:
    """One incompatibility between two versions of an event."""

    event_type: str
    old_version: int
    new_version: int
    field: str
    rule: str
    detail: str

    def __str__(self) -> str:
        return (
            f"{self.event_type} v{self.old_version} → v{self.new_version}: "
            f"field {self.field!r}: {self.detail} (rule: {self.rule})"
        )


def check_history(documents: Iterable[Document]) -> list[Violation]:
    """Check every pair of versions of each event type that share a topic."""
    history: dict[tuple[str, str], list[Document]] = defaultdict(list)
    for document in documents:
        meta = document[METADATA]
        history[(meta["event_type"], meta["topic"])].append(document)
    violations = []
    for versions in history.values():
        ordered = sorted(versions, key=lambda d: int(d[METADATA]["version"]))
        for old, new in combinations(ordered, 2):
            violations.extend(check_pair(old, new))
    return violations


def check_pair(old: Document, new: Document) -> list[Violation]:
    """Can a reader of ``new`` read every payload written with ``old``?"""
    old_meta, new_meta = old[METADATA], new[METADATA]

    def violation(path: str, rule: str, detail: str) -> Violation:
        return Violation(
            old_meta["event_type"], old_meta["version"], new_meta["version"], path, rule, detail
        )

    found = [
        violation(path or "<payload>", rule, detail)
        for path, rule, detail in _compare("", inline_refs(old), inline_refs(new))
    ]
    if old_meta["key"] != new_meta["key"]:
        detail = f"key field {old_meta['key']!r} → {new_meta['key']!r}"
        found.append(violation(old_meta["key"], KEY_CHANGED, detail))
    return found


Finding = tuple[str, str, str]


def _compare(path: str, old: Schema, new: Schema) -> Iterator[Finding]:
    new_by_type = {type_of(b): b for b in branches(new)}
    for old_branch in branches(old):
        match = _matching_branch(type_of(old_branch), new_by_type)
        if match is None:
            detail = f"type {type_label(old)} → {type_label(new)}"
            yield path, RETYPED, detail
            continue
        yield from _compare_branch(path, old_branch, match)


def _matching_branch(kind: str, new_by_type: dict[str, Schema]) -> Schema | None:
    if kind in new_by_type:
        return new_by_type[kind]
    if kind == "integer" and "number" in new_by_type:
        return new_by_type["number"]
    return new_by_type.get("any")


def _compare_branch(path: str, old: Schema, new: Schema) -> Iterator[Finding]:
    if new.get("format") not in (None, old.get("format")):
        yield path, RETYPED, f"format {old.get('format')} → {new.get('format')}"
    yield from _compare_constraints(path, old, new)
    if type_of(old) == "object" and type_of(new) == "object":
        yield from _compare_properties(path, old, new)
    if type_of(old) == "array" and type_of(new) == "array":
        yield from _compare(f"{path}[]", old.get("items", {}), new.get("items", {}))


def _compare_constraints(path: str, old: Schema, new: Schema) -> Iterator[Finding]:
    for name in _LOWER_BOUNDS:
        if _tighter(old.get(name), new.get(name), lower=True):
            yield path, TIGHTENED, f"{name} {old.get(name)} → {new.get(name)}"
    for name in _UPPER_BOUNDS:
        if _tighter(old.get(name), new.get(name), lower=False):
            yield path, TIGHTENED, f"{name} {old.get(name)} → {new.get(name)}"
    if new.get("pattern") not in (None, old.get("pattern")):
        yield path, TIGHTENED, f"pattern {old.get('pattern')!r} → {new.get('pattern')!r}"
    old_values, new_values = _allowed_values(old), _allowed_values(new)
    if new_values is not None and (old_values is None or not old_values <= new_values):
        yield path, TIGHTENED, f"allowed values {_show(old_values)} → {_show(new_values)}"


def _compare_properties(path: str, old: Schema, new: Schema) -> Iterator[Finding]:
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    old_required, new_required = set(old.get("required", ())), set(new.get("required", ()))
    for name, old_child in old_props.items():
        child = f"{path}.{name}" if path else name
        if name not in new_props:
            yield child, REMOVED, "present in the old version, missing in the new one"
            continue
        if name in new_required and name not in old_required:
            yield child, MADE_REQUIRED, "optional in the old version, required in the new one"
        yield from _compare(child, old_child, new_props[name])
    for name in new_props.keys() - old_props.keys():
        if name in new_required:
            child = f"{path}.{name}" if path else name
            yield child, ADDED_REQUIRED, "added as a required field"


def _tighter(old: Any, new: Any, *, lower: bool) -> bool:
    if new is None:
        return False
    if old is None:
        return True
    return bool(new > old) if lower else bool(new < old)


def _allowed_values(schema: Schema) -> set[str] | None:
    if "const" in schema:
        return {repr(schema["const"])}
    if "enum" in schema:
        return {repr(value) for value in schema["enum"]}
    return None


def _show(values: set[str] | None) -> str:
    return "any" if values is None else "{" + ", ".join(sorted(values)) + "}"
