"""``orderflow users``: accounts an operator creates by hand (the first admin)."""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from orderflow.cli.errors import UserError, command_group

if TYPE_CHECKING:
    from domains.identity import api as identity
    from orderflow.settings import Settings

# The identity domain, SQLAlchemy and the settings are imported inside the functions that use
# them: importing them here would slow down every `orderflow` invocation, even `--help`.

app = command_group()


@app.callback()
def users() -> None:
    """Accounts an operator creates by hand."""


async def create_user(settings: Settings, email: str, password: str, role: str) -> identity.User:
    """Register ``email`` with ``role`` (a ``UserRegistered`` event follows)."""
    from domains.identity import api as identity
    from orderflow.wiring.connections import database_engine, database_sessions
    from orderflow.wiring.identity import passwords

    engine = database_engine(settings)
    try:
        command = identity.RegisterUser(email, password, frozenset({role}))
        return await identity.register_user(
            command,
            identity.IdentityUnitOfWork(database_sessions(settings, engine)),
            passwords(settings),
        )
    finally:
        await engine.dispose()


@app.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(help="The admin's e-mail address (the login name).")],
    password_stdin: Annotated[
        bool, typer.Option(help="Read the password from standard input instead of a prompt.")
    ] = False,
) -> None:
    """Create an admin account; the password is prompted for (or read from stdin)."""
    from domains.identity import api as identity
    from domains.shared import DomainError
    from orderflow.settings import get_settings

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = asyncio.run(create_user(get_settings(), email, password, identity.ADMIN))
    except DomainError as exc:
        raise UserError(f"{exc.message} ({exc.code})") from None
    except OSError as exc:
        raise UserError(
            f"cannot reach PostgreSQL ({exc}); run `orderflow dev up` or set ORDERFLOW_DATABASE_URL"
        ) from None
    typer.echo(f"admin {user.id} created; log in with POST /v1/auth/login")
