"""``orderflow clients``: service clients (upstream services) and their credentials.

A secret is printed once, by ``create`` and ``rotate``; only its hash is stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from orderflow.cli.errors import UserError, command_group, friendly_errors

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")
app = command_group()


@app.callback()
def clients() -> None:
    """Service clients: the upstream services that submit orders."""


def _in_transaction(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work`` in one committed transaction; domain refusals become one error line."""
    from domains.shared import DomainError
    from orderflow.settings import get_settings
    from orderflow.wiring.connections import database_engine, database_sessions

    settings = get_settings()

    async def main() -> T:
        engine = database_engine(settings)
        try:
            async with database_sessions(settings, engine)() as session, session.begin():
                return await work(session)
        finally:
            await engine.dispose()

    with friendly_errors(settings):
        try:
            return asyncio.run(main())
        except DomainError as error:
            raise UserError(f"{error.message} ({error.code})") from None


@app.command()
def create(
    name: Annotated[str, typer.Option(help="A unique name, e.g. pos-berlin.")],
    scopes: Annotated[
        str, typer.Option(help="Comma-separated: orders:write, orders:read, orders:price.")
    ] = "orders:write,orders:read",
) -> None:
    """Create a client; its id and secret are printed once (keep the secret safe)."""
    from domains.identity import api as identity

    wanted = frozenset(s.strip() for s in scopes.split(",") if s.strip())
    client, secret = _in_transaction(lambda s: identity.register_client(s, name, wanted))
    _print_credentials(client.client_id, secret, client.scopes)


@app.command("list")
def list_() -> None:
    """Every client: id, name, scopes, created, revoked (never a secret)."""
    from domains.identity import api as identity
    from orderflow.cli.tables import table

    records = _in_transaction(identity.list_clients)
    rows = [
        [
            str(r.client.client_id),
            r.client.name,
            ",".join(sorted(r.client.scopes)),
            r.created_at.isoformat(timespec="seconds"),
            "-" if r.revoked_at is None else r.revoked_at.isoformat(timespec="seconds"),
        ]
        for r in records
    ]
    typer.echo(table(["client_id", "name", "scopes", "created", "revoked"], rows))


@app.command()
def rotate(name: Annotated[str, typer.Argument(help="The client's name.")]) -> None:
    """Give a client a new secret (printed once); the old one stops working at once."""
    from domains.identity import api as identity

    client, secret = _in_transaction(lambda s: identity.rotate_secret(s, name))
    _print_credentials(client.client_id, secret, client.scopes)


@app.command()
def revoke(name: Annotated[str, typer.Argument(help="The client's name.")]) -> None:
    """Revoke a client: its tokens and its Kafka records are refused from now on."""
    from domains.identity import api as identity

    client = _in_transaction(lambda s: identity.revoke_client(s, name))
    typer.echo(f"client {client.client_id} ({name}) revoked")


def _print_credentials(client_id: object, secret: str, scopes: frozenset[str]) -> None:
    typer.echo(f"client_id={client_id}")
    typer.echo(f"client_secret={secret}")
    typer.echo(f"scopes={','.join(sorted(scopes))}")
    typer.echo("The secret is shown only now; store it safely.", err=True)
