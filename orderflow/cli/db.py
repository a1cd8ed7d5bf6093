"""``orderflow db``: migrations."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from alembic import command
from alembic.config import Config

import migrations
from orderflow.settings import get_settings

app = typer.Typer(no_args_is_help=True)


def alembic_config(database_url: str | None = None) -> Config:
    """The alembic configuration, independent of the working directory."""
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    url = database_url or get_settings().database_url
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@app.command()
def upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Migrate the database to ``revision`` (default: the newest)."""
    try:
        command.upgrade(alembic_config(), revision)
    except OSError as exc:
        typer.echo(
            f"error: cannot reach PostgreSQL ({exc}); run `orderflow dev up` "
            "or set ORDERFLOW_DATABASE_URL",
            err=True,
        )
        raise typer.Exit(2) from None
    typer.echo(f"database at {revision}", err=True)


@app.command()
def current() -> None:
    """Show the database's current revision."""
    command.current(alembic_config())
