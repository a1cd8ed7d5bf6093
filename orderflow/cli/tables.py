"""Tables the CLI prints: aligned plain-text columns that survive copy and paste and pipes."""

from __future__ import annotations

import io
from collections.abc import Sequence

from orderflow.cli.terminal import printable

# rich.console and rich.table are imported inside ``table``: importing them here would slow down
# every `orderflow` invocation, even `--help`.

WIDE = 10_000  # never wrap or cut a cell: the table is as wide as its content


def table(headers: Sequence[str] | None, rows: Sequence[Sequence[object]]) -> str:
    """Columns two spaces apart, numbers right-aligned; ``headers=None`` prints the rows alone."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text  # plain text: no markup or emoji codes inside cells

    grid = Table(box=None, pad_edge=False, show_header=headers is not None, header_style=None)
    width = len(headers) if headers is not None else max((len(r) for r in rows), default=0)
    for i, header in enumerate(headers or [""] * width):
        numbers = bool(rows) and all(_is_number(row[i]) for row in rows)
        grid.add_column(Text(header), no_wrap=True, justify="right" if numbers else "left")
    for row in rows:  # cells often come from records: escape sequences are shown, not obeyed
        grid.add_row(*(Text(printable(str(cell))) for cell in row))
    out = io.StringIO()
    Console(file=out, width=WIDE, color_system=None, highlight=False).print(grid)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines())


def _is_number(cell: object) -> bool:
    return isinstance(cell, int | float) and not isinstance(cell, bool)
