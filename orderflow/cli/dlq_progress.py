"""Progress and Ctrl-C for long ``orderflow dlq`` jobs."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer


@contextmanager
def interruptible() -> Iterator[asyncio.Event]:
    """An event set by the first Ctrl-C (finish the batch, then stop); a second one aborts."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def first_interrupt() -> None:
        typer.echo("\nstopping after the current batch (Ctrl-C again to abort)…", err=True)
        stop.set()
        loop.remove_signal_handler(signal.SIGINT)

    loop.add_signal_handler(signal.SIGINT, first_interrupt)
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    try:
        yield stop
    finally:
        loop.remove_signal_handler(signal.SIGINT)
        loop.remove_signal_handler(signal.SIGTERM)


@contextmanager
def progress_bar(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal, else a plain line per tenth of the work."""
    if sys.stderr.isatty():
        # rich.progress is imported only for a terminal bar (CLI startup time).
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=Console(stderr=True)) as bar:
            task = bar.add_task(label, total=total)
            yield lambda n: bar.advance(task, n)
        return
    done = 0
    step = max(1, total // 10)

    def advance(n: int) -> None:
        nonlocal done
        before, done = done, done + n
        if done // step != before // step or done >= total:
            typer.echo(f"{label}: {done}/{total}", err=True)

    yield advance
