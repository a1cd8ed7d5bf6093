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
