"""``orderflow dev`` when the development tooling is there, one clear error when it is not.

The tooling (``devtools/``: local PostgreSQL and Kafka, fake partners) is not in the shipped
wheel, and its dependencies are in the ``dev`` dependency group. An installed orderflow still
answers ``orderflow dev …``: one line that says why there is nothing to run, exit status 2.
"""

from __future__ import annotations

from collections.abc import Callable

import typer

from orderflow.cli.errors import UserError

HELP = "Local PostgreSQL, Kafka and fake partners (development tooling)."
# What the tooling needs besides this package's own dependencies (the dev dependency group).
DEV_REQUIREMENTS = ("aiosmtpd", "testcontainers")
SYNC_HINT = "in a checkout of the orderflow repository, `uv sync` installs it"


def add_dev_commands(app: typer.Typer) -> None:
    """Add ``orderflow dev`` to ``app``: the tooling's commands, or the one-line refusal."""
    try:
        # The shipped code's one import of devtools, guarded (import-linter allows this one).
        from devtools.cli import app as dev
    except ModuleNotFoundError as missing:
        refusal = _unavailable(_reason(missing))
        settings = {"allow_extra_args": True, "ignore_unknown_options": True}
        app.command("dev", help=HELP, add_help_option=False, context_settings=settings)(refusal)
        return
    app.add_typer(dev, name="dev", help=HELP)


def _reason(missing: ModuleNotFoundError) -> str:
    if missing.name == "devtools":
        return f"it is development tooling, not part of the installed package ({SYNC_HINT})"
    if missing.name in DEV_REQUIREMENTS:
        return f"its dependency {missing.name} is missing (the dev dependency group: {SYNC_HINT})"
    raise missing  # a broken import inside the tooling: a bug to see, not to explain away


def _unavailable(reason: str) -> Callable[[typer.Context], None]:
    def dev(ctx: typer.Context) -> None:
        raise UserError(f"`orderflow dev` is unavailable: {reason}")

    return dev
