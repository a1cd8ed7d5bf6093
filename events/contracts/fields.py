"""Walk a payload JSON Schema: inline ``$defs`` references and list every field by path."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

Schema = dict[str, Any]


def inline_refs(schema: Schema) -> Schema:
    """``schema`` with every ``#/$defs/...`` reference replaced by its definition.

    Event payloads are not recursive, so the result is finite and self-contained (it can be
    embedded anywhere, e.g. in an AsyncAPI document).
    """
    definitions = schema.get("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, list):
            return [resolve(item) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return {**resolve(definitions[ref.removeprefix("#/$defs/")]), **resolve(rest)}
        return {key: resolve(value) for key, value in node.items() if key != "$defs"}

    resolved: Schema = resolve(schema)
    return resolved


def branches(schema: Schema) -> list[Schema]:
    """The alternatives of a schema: the members of ``anyOf``/``oneOf``, else itself."""
    members = schema.get("anyOf") or schema.get("oneOf")
    if members:
        return [branch for member in members for branch in branches(member)]
    kind = schema.get("type")
    if isinstance(kind, list):
        return [{**schema, "type": item} for item in kind]
    return [schema]


def type_of(branch: Schema) -> str:
    """The JSON type of one branch; ``any`` when unconstrained."""
    kind = branch.get("type")
    return kind if isinstance(kind, str) else "any"


def type_label(schema: Schema) -> str:
    """A short human label: ``string (uuid)``, ``array of object``, ``string | null``."""
    labels = []
    for branch in branches(schema):
        label = type_of(branch)
        if "format" in branch:
            label += f" ({branch['format']})"
        if label == "array":
            label += " of " + type_label(branch.get("items", {}))
        labels.append(label)
    return " | ".join(labels)


@dataclass(frozen=True)
class Field:
    """One field of a payload, nested fields by path (``lines[].sku``)."""

    path: str
    schema: Schema
    required: bool

    @property
    def type_label(self) -> str:
        """See :func:`type_label`."""
        return type_label(self.schema)

    @property
    def description(self) -> str:
        """The field's description, if the model gave one."""
        return str(self.schema.get("description", ""))


def flatten_fields(schema: Schema) -> dict[str, Field]:
    """Every field of an (inlined) object schema by path, in declaration order."""
    return {field.path: field for field in _walk(inline_refs(schema), "", required=True)}


def _walk(schema: Schema, prefix: str, *, required: bool) -> Iterator[Field]:
    for branch in branches(schema):
        if type_of(branch) == "object":
            needed = set(branch.get("required", ()))
            for name, child in branch.get("properties", {}).items():
                path = f"{prefix}.{name}" if prefix else name
                is_required = required and name in needed
                yield Field(path, child, is_required)
                yield from _walk(child, path, required=is_required)
        elif type_of(branch) == "array":
            yield from _walk(branch.get("items", {}), f"{prefix}[]", required=required)
