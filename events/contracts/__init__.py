"""What downstream teams rely on, derived from the registry: committed JSON Schemas, the
compatibility gate, the AsyncAPI document and the Markdown event catalog.

Importing this package imports :mod:`events.schemas`, so every event is registered.
"""

import events.schemas  # noqa: F401  (registers every event)
from events.contracts.asyncapi import build_asyncapi
from events.contracts.catalog import render_catalog
from events.contracts.compatibility import Violation, check_history
from events.contracts.fields import Field, flatten_fields, inline_refs
from events.contracts.json_schema import (
    SCHEMA_DIR,
    SchemaDrift,
    find_drift,
    read_committed,
    schema_document,
    write_schemas,
)

__all__ = [
    "SCHEMA_DIR",
    "Field",
    "SchemaDrift",
    "Violation",
    "build_asyncapi",
    "check_history",
    "find_drift",
    "flatten_fields",
    "inline_refs",
    "read_committed",
    "render_catalog",
    "schema_document",
    "write_schemas",
]
