"""No module imports a name starting with ``_`` from another module, nor one of our private modules.

A leading underscore says "only this module relies on it": importing such a name elsewhere (to
redo another module's commit, say) couples two modules through a detail neither promises to
keep. Public names are the interface; when a private one is needed elsewhere, make it public
where it lives. (Third-party private modules are the library's business: only our own count.)
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

PROJECT = Path(__file__).resolve().parents[2]
# Every folder of Python code in the repository, shipped or not.
SOURCES = [
    *(PROJECT / name for name in ("orderflow", "domains", "events", "outbox", "producers")),
    *(PROJECT / name for name in ("consumers", "migrations", "foundation", "devtools")),
    *(PROJECT / name for name in ("tests", "bench", "clients", "examples")),
]
OURS = {path.name for path in SOURCES} | {"orderflow_events", "kit_tests", "loyalty"}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")  # dunders are public protocol


def private_imports(source: str) -> Iterator[tuple[int, str]]:
    """(line, what) for each import of a private name, or of a private module of ours."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module != "__future__":
            module = node.module or ""
            ours = node.level > 0 or module.split(".")[0] in OURS
            names = [alias.name for alias in node.names]
            if any(_private(n) for n in names) or (ours and any(map(_private, module.split(".")))):
                yield node.lineno, f"from {'.' * node.level}{module} import {', '.join(names)}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] in OURS and any(map(_private, parts)):
                    yield node.lineno, f"import {alias.name}"


def test_the_check_finds_each_kind_of_private_import() -> None:
    source = (
        "from __future__ import annotations\n"
        "from domains.orders.unit_of_work import _published, OrdersUnitOfWork\n"
        "from outbox._internal import relay\n"
        "import consumers._impl\n"
        "from faststream._internal.types import Anything\n"  # a library's own layout: not ours
        "from typing import __all__\n"
    )
    assert [line for line, _ in private_imports(source)] == [2, 3, 4]


def test_no_module_imports_a_private_name() -> None:
    found = [
        f"{path.relative_to(PROJECT)}:{line}: {what}"
        for folder in SOURCES
        for path in sorted(folder.rglob("*.py"))
        if "node_modules" not in path.parts
        for line, what in private_imports(path.read_text())
    ]
    assert found == [], "make these names public where they are defined:\n" + "\n".join(found)
