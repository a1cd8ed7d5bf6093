"""Example payloads: the model's own (``json_schema_extra={"examples": [...]}``), else one
synthesized from its JSON Schema. Tests check every example validates against its model."""

from __future__ import annotations

from typing import Any

from events.contracts.fields import Schema, branches, inline_refs, type_of
from events.registry import EventSpec

_FORMATS = {
    "uuid": "6f1d7c1e-2b3a-4c5d-8e9f-0a1b2c3d4e5f",
    "date-time": "2026-01-15T10:30:00Z",
    "date": "2026-01-15",
    "email": "customer@example.com",
    "uri": "https://example.com/",
}


def example_payloads(spec: EventSpec) -> list[dict[str, Any]]:
    """The model's examples, or one synthesized from its schema."""
    schema = spec.model.model_json_schema(mode="validation")
    examples = schema.get("examples")
    if examples:
        return list(examples)
    return [synthesize(inline_refs(schema))]


def synthesize(schema: Schema) -> Any:
    """A plausible value for ``schema`` (the first non-null alternative)."""
    if "examples" in schema:
        return schema["examples"][0]
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    options = [b for b in branches(schema) if type_of(b) != "null"] or [schema]
    return _value(options[0])


def _value(branch: Schema) -> Any:
    kind = type_of(branch)
    if kind == "object":
        return {name: synthesize(sub) for name, sub in branch.get("properties", {}).items()}
    if kind == "array":
        return [synthesize(branch.get("items", {}))] * max(1, branch.get("minItems", 1))
    if kind in ("integer", "number"):
        low = branch.get("minimum", branch.get("exclusiveMinimum", 0) + 1)
        return max(low, 1)
    if kind == "boolean":
        return True
    if kind == "string":
        length = min(max(7, branch.get("minLength", 1)), branch.get("maxLength", 7))
        return _FORMATS.get(branch.get("format", ""), "x" * length)
    return None
