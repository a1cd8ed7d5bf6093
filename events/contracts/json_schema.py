"""Each (type, version) as a committed JSON Schema file, and drift between files and models.

Files live in ``events/schemas/json/<event type>.v<version>.json``; ``orderflow events export``
writes them. They are the history the compatibility gate runs over, so a version, once
published, keeps its file forever.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from events.registry import EventRegistry, EventSpec, registry

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schemas" / "json"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
METADATA = "x-orderflow"

Document = dict[str, Any]


def file_name(event_type: str, version: int) -> str:
    """``orders.OrderPlaced.v2.json``."""
    return f"{event_type}.v{version}.json"


def schema_document(spec: EventSpec) -> Document:
    """The JSON Schema of one version's payload, with its routing metadata."""
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"urn:orderflow:event:{spec.event_type}:v{spec.version}",
        METADATA: {
            "event_type": spec.event_type,
            "version": spec.version,
            "ce_type": spec.ce_type,
            "topic": spec.topic,
            "key": spec.key_field,
            "aggregate_type": spec.aggregate_type,
        },
        **spec.model.model_json_schema(mode="validation"),
    }


def render(document: Document) -> str:
    """The committed text of a schema document (stable, diff-friendly)."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def expected_files(events: EventRegistry = registry) -> dict[str, str]:
    """File name → text for every registered (type, version)."""
    return {file_name(s.event_type, s.version): render(schema_document(s)) for s in events}


def write_schemas(directory: Path = SCHEMA_DIR, events: EventRegistry = registry) -> list[str]:
    """Write every schema file that is missing or different; returns the names written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in expected_files(events).items():
        path = directory / name
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            written.append(name)
    return written


def read_committed(directory: Path = SCHEMA_DIR) -> list[Document]:
    """Every committed schema document, sorted by file name."""
    return [json.loads(path.read_text()) for path in sorted(directory.glob("*.json"))]


@dataclass(frozen=True)
class SchemaDrift:
    """One difference between the committed files and the registered models."""

    file: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file}: {self.problem}"


def find_drift(directory: Path = SCHEMA_DIR, events: EventRegistry = registry) -> list[SchemaDrift]:
    """Missing, stale and orphaned schema files (an orphan is a deleted event version)."""
    expected = expected_files(events)
    committed = {path.name: path.read_text() for path in directory.glob("*.json")}
    drift = []
    for name, text in sorted(expected.items()):
        if name not in committed:
            drift.append(SchemaDrift(name, "not committed; run `orderflow events export`"))
        elif committed[name] != text:
            drift.append(SchemaDrift(name, "differs from the model; run `orderflow events export`"))
    for name in sorted(committed.keys() - expected.keys()):
        drift.append(
            SchemaDrift(name, "has no registered model; published versions are never deleted")
        )
    return drift
