"""Generate the kit's event models from orderflow's committed JSON Schemas.

    python clients/python/generate.py          # (re)write src/orderflow_events/models/
    python clients/python/generate.py --check  # exit 1, naming each file that is out of date

The committed schemas (``events/schemas/json``) are the contract downstream teams rely on, so the
kit is generated from them rather than written by hand: a field added to orderflow cannot be
forgotten in the kit. The generator knows only the JSON Schema keywords orderflow's schemas use
and stops on any other, so nothing is silently dropped; the kit's tests then prove that each
generated model's JSON Schema equals its committed file.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SCHEMAS = HERE.parents[1] / "events" / "schemas" / "json"
MODELS = HERE / "src" / "orderflow_events" / "models"
Schema = dict[str, Any]

_HEADER = '''"""Events of the ``{domain}`` domain, generated from orderflow's JSON Schemas.

Do not edit: ``python clients/python/generate.py`` writes this file from ``events/schemas/json``.
"""

from __future__ import annotations
'''
_FIELD_KEYS = {"type", "format", "title", "description", "default", "anyOf", "items", "$ref"}
_CONSTRAINTS = {
    "maxLength": "max_length",
    "minLength": "min_length",
    "pattern": "pattern",
    "minimum": "ge",
    "exclusiveMinimum": "gt",
    "maximum": "le",
    "exclusiveMaximum": "lt",
    "minItems": "min_length",
    "maxItems": "max_length",
}
_FORMATS = {"uuid": "uuid.UUID", "date-time": "datetime"}
_SCALARS = {"integer": "int", "number": "float", "boolean": "bool"}
_MODEL_KEYS = {"title", "description", "type", "properties", "required", "additionalProperties"}
_DOCUMENT_KEYS = _MODEL_KEYS | {"$schema", "$id", "x-orderflow", "$defs", "examples"}


class Unsupported(Exception):
    """A schema uses a keyword the generator does not translate."""


@dataclass
class Module:
    """The generated source of one domain."""

    domain: str
    imports: set[str] = field(default_factory=set)
    definitions: dict[str, str] = field(default_factory=dict)
    classes: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)

    def source(self) -> str:
        lines = [_HEADER.format(domain=self.domain)]
        lines += sorted(i for i in self.imports if i.startswith("import "))
        lines += sorted(i for i in self.imports if i.startswith("from "))
        return "\n".join([*lines, *self.definitions.values(), *self.classes]) + "\n"


def load_documents(directory: Path = SCHEMAS) -> list[Schema]:
    """Every committed schema document, ordered by event type and version."""
    documents = [json.loads(path.read_text()) for path in directory.glob("*.json")]
    return sorted(
        documents, key=lambda d: (d["x-orderflow"]["event_type"], d["x-orderflow"]["version"])
    )


def class_names(documents: list[Schema]) -> dict[tuple[str, int], str]:
    """The newest version of a type on its topic gets the plain name, older ones ``<Name>V<n>``."""
    newest: dict[tuple[str, str], int] = {}
    for doc in documents:
        meta = doc["x-orderflow"]
        key = (meta["event_type"], meta["topic"])
        newest[key] = max(newest.get(key, 0), meta["version"])
    names = {}
    for doc in documents:
        meta = doc["x-orderflow"]
        name = meta["event_type"].split(".", 1)[1]
        if meta["version"] != newest[(meta["event_type"], meta["topic"])]:
            name += f"V{meta['version']}"
        names[(meta["event_type"], meta["version"])] = name
    return names


def render_modules(documents: list[Schema]) -> dict[str, str]:
    """File name → source for every domain module and the package's ``__init__``."""
    names = class_names(documents)
    modules: dict[str, Module] = {}
    for doc in documents:
        meta = doc["x-orderflow"]
        domain = meta["event_type"].split(".", 1)[0]
        module = modules.setdefault(domain, Module(domain))
        _add_event(module, doc, names[(meta["event_type"], meta["version"])])
    files = {f"{m.domain}.py": m.source() for m in modules.values()}
    files["__init__.py"] = _package(modules.values())
    return {name: _formatted(MODELS / name, source) for name, source in files.items()}


def _add_event(module: Module, doc: Schema, name: str) -> None:
    unknown = doc.keys() - _DOCUMENT_KEYS
    if unknown:
        raise Unsupported(f"{doc['$id']}: keywords {sorted(unknown)}")
    for def_name, definition in doc.get("$defs", {}).items():
        source = _model_class(module, def_name, definition, base="Model")
        if module.definitions.setdefault(def_name, source) != source:
            raise Unsupported(f"{doc['$id']}: two different definitions of {def_name}")
    meta = doc["x-orderflow"]
    spec = (
        f"EventSpec(event_type={meta['event_type']!r}, version={meta['version']}, "
        f"topic={meta['topic']!r}, key={meta['key']!r}, aggregate_type={meta['aggregate_type']!r})"
    )
    config = {"title": doc["title"]} if doc["title"] != name else {}
    if "examples" in doc:
        config["json_schema_extra"] = {"examples": doc["examples"]}
    body = [f"    event_spec: ClassVar[EventSpec] = {spec}"]
    module.imports |= {
        "from typing import ClassVar",
        "from orderflow_events.base import Event, EventSpec",
    }
    module.classes.append(_model_class(module, name, doc, base="Event", config=config, extra=body))
    module.events.append(name)


def _model_class(
    module: Module,
    name: str,
    schema: Schema,
    *,
    base: str,
    config: dict[str, Any] | None = None,
    extra: list[str] | None = None,
) -> str:
    unknown = schema.keys() - _DOCUMENT_KEYS
    if unknown or schema.get("additionalProperties") is not False or schema["type"] != "object":
        raise Unsupported(f"{name}: only closed objects are supported ({sorted(unknown)})")
    if base == "Model":
        module.imports.add("from orderflow_events.base import Model")
        if schema["title"] != name:
            config = {"title": schema["title"]}
    lines = [f"\n\nclass {name}({base}):", _docstring(schema.get("description", ""))]
    if config:
        module.imports.add("from pydantic import ConfigDict")
        arguments = ", ".join(f"{key}={value!r}" for key, value in config.items())
        lines.append(f"    model_config = ConfigDict({arguments})")
    lines += extra or []
    required = set(schema.get("required", ()))
    for field_name, field_schema in schema.get("properties", {}).items():
        lines.append(_field(module, field_name, field_schema, required=field_name in required))
    return "\n".join(lines)


def _docstring(text: str) -> str:
    if '"""' in text or "\\" in text:
        raise Unsupported(f"a description the generator cannot quote: {text!r}")
    body = "\n".join(f"    {line}" if line else "" for line in text.splitlines())
    return f'    """{body.lstrip()}\n    """\n' if "\n" in text else f'    """{text}"""\n'


def _field(module: Module, name: str, schema: Schema, *, required: bool) -> str:
    unknown = schema.keys() - _FIELD_KEYS - _CONSTRAINTS.keys()
    if unknown:
        raise Unsupported(f"field {name}: keywords {sorted(unknown)}")
    annotation, arguments = _annotation(module, schema)
    if "description" in schema:
        arguments["description"] = schema["description"]
    if schema.get("title", _auto_title(name)) != _auto_title(name):
        arguments["title"] = schema["title"]
    if not required:
        if "default" not in schema:
            raise Unsupported(f"field {name}: optional without a default")
        arguments = {"default": schema["default"], **arguments}
    elif "default" in schema:
        raise Unsupported(f"field {name}: required with a default")
    if not arguments:
        return f"    {name}: {annotation}"
    module.imports.add("from pydantic import Field")
    rendered = ", ".join(f"{key}={value!r}" for key, value in arguments.items())
    return f"    {name}: {annotation} = Field({rendered})"


def _annotation(module: Module, schema: Schema) -> tuple[str, dict[str, Any]]:
    """The Python type of a field and the ``Field`` arguments its constraints need."""
    if "anyOf" in schema:
        others = [b for b in schema["anyOf"] if b != {"type": "null"}]
        if len(others) != 1 or len(schema["anyOf"]) != 2:
            raise Unsupported(f"anyOf other than <type> | null: {schema['anyOf']}")
        annotation, arguments = _annotation(module, others[0])
        return f"{annotation} | None", arguments
    arguments = {_CONSTRAINTS[key]: value for key, value in schema.items() if key in _CONSTRAINTS}
    if "$ref" in schema:
        return schema["$ref"].removeprefix("#/$defs/"), arguments
    kind = schema.get("type")
    if kind == "array":
        item, item_arguments = _annotation(module, schema["items"])
        if item_arguments or schema["items"].keys() - {"type", "$ref", "format"}:
            raise Unsupported(f"array items with constraints: {schema['items']}")
        return f"tuple[{item}, ...]", arguments
    if kind == "string":
        fmt = schema.get("format")
        if fmt is None:
            return "str", arguments
        if fmt not in _FORMATS:
            raise Unsupported(f"string format {fmt!r}")
        module.imports.add("import uuid" if fmt == "uuid" else "from datetime import datetime")
        return _FORMATS[fmt], arguments
    if kind in _SCALARS:
        return _SCALARS[kind], arguments
    raise Unsupported(f"type {kind!r}")


def _auto_title(name: str) -> str:
    """The title pydantic gives a field by itself."""
    return name.replace("_", " ").title()


def _package(modules: Any) -> str:
    ordered = sorted(modules, key=lambda m: m.domain)
    lines = [
        '"""Every event model, generated from orderflow\'s committed JSON Schemas (do not edit).',
        "",
        "``EVENTS`` lists every published version, oldest first per event type; the other",
        "names are the objects nested in payloads (e.g. ``OrderLine``).",
        '"""',
        "",
        "from orderflow_events.base import Event",
    ]
    for module in ordered:
        names = ", ".join(sorted([*module.definitions, *module.events]))
        lines.append(f"from orderflow_events.models.{module.domain} import {names}")
    every = [name for module in ordered for name in module.events]
    parts = [name for module in ordered for name in module.definitions]
    lines += ["", f"EVENTS: tuple[type[Event], ...] = ({', '.join(every)},)", ""]
    lines.append(f"__all__ = {sorted(['EVENTS', *every, *parts])!r}")
    return "\n".join(lines) + "\n"


def _formatted(path: Path, source: str) -> str:
    """The source with imports sorted and formatted by ruff, as the project's checks want it."""
    for command in (["check", "--fix", "--select", "I", "--quiet"], ["format"]):
        done = subprocess.run(
            [sys.executable, "-m", "ruff", *command, "--stdin-filename", str(path), "-"],
            input=source.encode(),
            capture_output=True,
            check=False,
            cwd=HERE.parents[1],
        )
        if done.returncode != 0:
            raise RuntimeError(f"ruff {command[0]} failed: {done.stderr.decode()}\n{source}")
        source = done.stdout.decode()
    return source


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report files out of date")
    args = parser.parse_args(argv)
    expected = render_modules(load_documents())
    present = {path.name for path in MODELS.glob("*.py")}
    stale = sorted(
        name
        for name in expected.keys() | present
        if not (MODELS / name).exists() or (MODELS / name).read_text() != expected.get(name)
    )
    if args.check:
        for name in stale:
            print(
                f"out of date: clients/python/src/orderflow_events/models/{name}", file=sys.stderr
            )
        if stale:
            print("run: python clients/python/generate.py", file=sys.stderr)
        return 1 if stale else 0
    MODELS.mkdir(parents=True, exist_ok=True)
    for name in stale:
        if name in expected:
            (MODELS / name).write_text(expected[name])
        else:
            (MODELS / name).unlink()
        print(f"wrote clients/python/src/orderflow_events/models/{name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
