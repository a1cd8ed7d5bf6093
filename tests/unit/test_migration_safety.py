"""The migration check refuses destructive upgrades that carry no expand/contract note."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from migrations.safety import check_all, check_migration
from orderflow.cli.main import app

HEAD = '''
"""A migration."""
import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "9998"
'''


def _migration(tmp_path: Path, upgrade: str, *, extra: str = "", downgrade: str = "pass") -> Path:
    path = tmp_path / "2030_01_01_0000_9999_test.py"
    body = "\n".join(f"    {line}" for line in upgrade.splitlines())
    path.write_text(
        f"{HEAD}{extra}\n\ndef upgrade() -> None:\n{body}\n\n\n"
        f"def downgrade() -> None:\n    {downgrade}\n"
    )
    return path


@pytest.mark.parametrize(
    ("upgrade", "operation"),
    [
        ('op.drop_table("attempts", schema="payments")', "op.drop_table"),
        ('op.drop_column("orders", "note", schema="orders")', "op.drop_column"),
        ('op.rename_table("orders", "purchases", schema="orders")', "op.rename_table"),
        ('op.alter_column("orders", "note", type_=sa.String(20))', "op.alter_column (type_)"),
        ('op.alter_column("orders", "note", nullable=False)', "op.alter_column (nullable)"),
        ('op.alter_column("o", "a", new_column_name="b")', "op.alter_column (new_column_name)"),
        ('op.execute("ALTER TABLE orders.orders DROP COLUMN note")', "op.execute (DROP COLUMN)"),
        ('op.execute(sa.text("TRUNCATE orders.orders"))', "op.execute (TRUNCATE)"),
        ('op.execute(f"DROP SCHEMA {name} CASCADE")', "op.execute (DROP SCHEMA)"),
        ("op.execute(SQL)", "op.execute (ALTER COLUMN NOTE TYPE)"),
    ],
)
def test_a_destructive_upgrade_without_a_note_is_refused(
    tmp_path: Path, upgrade: str, operation: str
) -> None:
    extra = 'SQL = "ALTER TABLE orders.orders ALTER COLUMN note TYPE varchar(20)"'
    findings = check_migration(_migration(tmp_path, upgrade, extra=extra))

    assert [f.operation for f in findings] == [operation]
    assert findings[0].line > 0


@pytest.mark.parametrize(
    "upgrade",
    [
        'op.add_column("orders", sa.Column("note", sa.Text()), schema="orders")',
        'op.alter_column("orders", "note", nullable=True)',
        'op.alter_column("orders", "note", server_default="x")',
        'op.execute("CREATE SCHEMA IF NOT EXISTS analytics")',
        'op.drop_index("ix_orders_note", "orders", schema="orders")',
    ],
)
def test_expanding_changes_pass(tmp_path: Path, upgrade: str) -> None:
    assert check_migration(_migration(tmp_path, upgrade)) == []


def test_a_note_says_the_drop_is_a_contract_step(tmp_path: Path) -> None:
    upgrade = 'op.drop_table("attempts", schema="payments")'
    noted = _migration(tmp_path, upgrade, extra='DESTRUCTIVE = "contract: unused since 0.3"')
    assert check_migration(noted) == []

    empty = _migration(tmp_path, upgrade, extra='DESTRUCTIVE = "  "')
    assert len(check_migration(empty)) == 1


def test_downgrades_are_not_checked(tmp_path: Path) -> None:
    path = _migration(tmp_path, "pass", downgrade='op.drop_table("notes", schema="orders")')
    assert check_migration(path) == []


def test_every_committed_migration_passes() -> None:
    assert [str(f) for f in check_all()] == []


def test_the_command_names_each_finding_and_fails(tmp_path: Path) -> None:
    _migration(tmp_path, 'op.drop_column("orders", "note", schema="orders")')

    result = CliRunner().invoke(app, ["db", "check-migrations", "--directory", str(tmp_path)])
    clean = CliRunner().invoke(app, ["db", "check-migrations"])

    assert clean.exit_code == 0, clean.output
    assert result.exit_code == 2
    assert "2030_01_01_0000_9999_test.py:11: op.drop_column in upgrade() without" in result.output
    assert "1 destructive operation(s)" in result.output
    assert "Traceback" not in result.output
