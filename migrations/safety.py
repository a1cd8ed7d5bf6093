"""Destructive operations in a migration's ``upgrade()`` need an explicit expand/contract note.

During a rollout old and new code run side by side on one schema: an upgrade that drops a
table or column, renames one, changes a column's type or makes it NOT NULL breaks the old
code still running (and loses data a downgrade cannot bring back). Such a step belongs in the
*contract* phase, after no running release uses what it removes, and the migration says so in a
module-level constant::

    DESTRUCTIVE = "contract step: nothing reads payments.attempts since 0.3 (see 0007)"

:func:`check_migration` reads a migration's source (never imports it) and returns what it
found without such a note; ``orderflow db check-migrations`` and a unit test run it over
``migrations/versions``. Downgrades are not checked: undoing an upgrade removes what it added
by nature, and the round-trip test runs every one of them on a database holding data.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

MARKER = "DESTRUCTIVE"
VERSIONS = Path(__file__).with_name("versions")

# alembic ``op`` calls that break code written against the previous schema.
_DROPS = {"drop_table", "drop_column", "rename_table"}
# ``alter_column`` keywords that do: a new type (narrowing, or a cast old code does not expect),
# a new name, a new NOT NULL.
_ALTERS = {"type_", "new_column_name"}
_SQL = re.compile(
    r"\b(DROP\s+(TABLE|COLUMN|SCHEMA)|TRUNCATE|DELETE\s+FROM|RENAME\s+(TO|COLUMN)"
    r"|ALTER\s+COLUMN\s+\S+\s+(SET\s+DATA\s+)?TYPE|SET\s+NOT\s+NULL)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Finding:
    """A destructive operation in ``upgrade()``, where and what."""

    path: str
    line: int
    operation: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.operation} in upgrade() without a {MARKER} note"


def check_migration(path: Path) -> list[Finding]:
    """The destructive operations of ``path``'s ``upgrade()``; none when it has the note."""
    tree = ast.parse(path.read_text(), filename=str(path))
    if _has_marker(tree):
        return []
    constants = _string_constants(tree)
    upgrade = next(
        (n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "upgrade"), None
    )
    if upgrade is None:
        return []
    return [
        Finding(path.name, call.lineno, operation)
        for call in ast.walk(upgrade)
        if isinstance(call, ast.Call)
        for operation in [_destructive(call, constants)]
        if operation
    ]


def check_all(directory: Path = VERSIONS) -> list[Finding]:
    """Every finding of every migration in ``directory``."""
    return [f for path in sorted(directory.glob("*.py")) for f in check_migration(path)]


def _has_marker(tree: ast.Module) -> bool:
    for node in tree.body:
        value = _assigned(node, MARKER)
        if isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value.strip():
            return True
    return False


def _assigned(node: ast.stmt, name: str) -> ast.expr | None:
    if isinstance(node, ast.Assign) and any(
        isinstance(t, ast.Name) and t.id == name for t in node.targets
    ):
        return node.value
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.value if node.target.id == name else None
    return None


def _string_constants(tree: ast.Module) -> dict[str, str]:
    """Module-level ``NAME = "..."``: SQL kept in a constant and passed to ``op.execute``."""
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                    found[target.id] = node.value.value
    return found


def _destructive(call: ast.Call, constants: dict[str, str]) -> str | None:
    name = call.func.attr if isinstance(call.func, ast.Attribute) else None
    if name in _DROPS:
        return f"op.{name}"
    if name == "alter_column":
        keywords = {k.arg for k in call.keywords if k.arg}
        if keywords & _ALTERS or _sets_not_null(call):
            return (
                "op.alter_column (" + ", ".join(sorted(keywords & (_ALTERS | {"nullable"}))) + ")"
            )
    if name == "execute" and call.args:
        sql = _sql_text(call.args[0], constants)
        match = _SQL.search(sql)
        if match:
            return f"op.execute ({' '.join(match.group(0).split()).upper()})"
    return None


def _sets_not_null(call: ast.Call) -> bool:
    return any(
        k.arg == "nullable" and isinstance(k.value, ast.Constant) and k.value.value is False
        for k in call.keywords
    )


def _sql_text(node: ast.expr, constants: dict[str, str]) -> str:
    """The SQL an ``op.execute`` argument spells: literals, f-strings and module constants."""
    if isinstance(node, ast.Name):
        return constants.get(node.id, "")
    if isinstance(node, ast.Call) and node.args:  # sa.text("...")
        return _sql_text(node.args[0], constants)
    return " ".join(
        str(n.value)
        for n in ast.walk(node)
        if isinstance(n, ast.Constant) and isinstance(n.value, str)
    )
