"""``orderflow db``: migrations."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from orderflow.cli.errors import UserError, command_group

if TYPE_CHECKING:
    from alembic.config import Config

app = command_group()


def alembic_config(database_url: str | None = None) -> Config:
    """The alembic configuration, independent of the working directory."""
    # alembic, SQLAlchemy and settings are imported here to keep CLI startup fast.
    from alembic.config import Config

    import migrations
    from orderflow.settings import get_settings

    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    url = database_url or get_settings().database.url
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@app.command()
def upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Migrate the database to ``revision`` (default: the newest)."""
    from alembic import command  # lazy: keeps CLI startup fast

    try:
        command.upgrade(alembic_config(), revision)
    except OSError as exc:
        raise UserError(
            f"cannot reach PostgreSQL ({exc}); run `orderflow dev up` or set ORDERFLOW_DATABASE_URL"
        ) from None
    typer.echo(f"database at {revision}", err=True)


@app.command()
def current() -> None:
    """Show the database's current revision."""
    from alembic import command  # lazy: keeps CLI startup fast

    command.current(alembic_config())


# "-1" (alembic's relative revision) is an argument here, not an unknown option.
@app.command(context_settings={"ignore_unknown_options": True})
def downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, e.g. 0015 or -1.")],
) -> None:
    """Undo migrations down to ``revision`` (a release rolled back; see README, rollouts)."""
    from alembic import command  # lazy: keeps CLI startup fast
    from alembic.util import CommandError

    try:
        command.downgrade(alembic_config(), revision)
    except CommandError as exc:
        raise UserError(f"cannot downgrade to {revision!r}: {exc}") from None
    except OSError as exc:
        raise UserError(
            f"cannot reach PostgreSQL ({exc}); run `orderflow dev up` or set ORDERFLOW_DATABASE_URL"
        ) from None
    typer.echo(f"database downgraded to {revision}", err=True)


@app.command("check-migrations")
def check_migrations(
    directory: Annotated[
        Path | None, typer.Option(help="Migrations to check (default: the project's).")
    ] = None,
) -> None:
    """Refuse destructive upgrades (drop, rename, type change, NOT NULL) without a
    ``DESTRUCTIVE`` expand/contract note in the migration."""
    from migrations.safety import MARKER, VERSIONS, check_all  # lazy: keeps CLI startup fast

    findings = check_all(directory or VERSIONS)
    for finding in findings:
        typer.echo(str(finding), err=True)
    if findings:
        raise UserError(
            f"{len(findings)} destructive operation(s): split the change into expand and "
            f"contract releases, or state why it is safe in a module-level {MARKER} = '...'"
        )
    typer.echo("migrations: no destructive upgrade without a note", err=True)
