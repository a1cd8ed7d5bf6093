"""The steady writer of the relay benchmark, run in a process of its own as an API would be.

    python -m bench.steady_writer ROWS_FILE DSN RATE SECONDS

Reads the rows to commit (a pickle of the column names and row tuples, written by
:mod:`bench.relay`), commits them at RATE rows/s, 10 per transaction, for at most SECONDS,
and prints the rate achieved and each transaction's duration. It imports nothing of the
application, so it starts in a fraction of a second.
"""

from __future__ import annotations

import asyncio
import json
import pickle
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import asyncpg


async def write(
    dsn: str, columns: list[str], rows: Sequence[tuple[Any, ...]], rate: int, seconds: float
) -> tuple[float, list[float]]:
    """Commit ``rows`` at ``rate`` rows/s, 10 per transaction, for at most ``seconds``;
    returns the rate achieved and how long each transaction took (seconds, as the client
    saw it: part of every row's commit -> ack, before the relay can know of the row)."""
    conn = await asyncpg.connect(dsn)
    started, sent, took = time.perf_counter(), 0, []
    try:
        while sent < len(rows) and time.perf_counter() - started < seconds:
            chunk = rows[sent : sent + 10]
            began = time.perf_counter()
            await conn.copy_records_to_table(
                "events", schema_name="outbox", columns=columns, records=chunk
            )
            took.append(time.perf_counter() - began)
            sent += len(chunk)
            await asyncio.sleep(max(0.0, started + sent / rate - time.perf_counter()))
    finally:
        await conn.close()
    return sent / (time.perf_counter() - started), took


def main() -> None:
    """Command line: rows file, DSN, rate, seconds; prints ``{"achieved_rate": ...}``."""
    rows_file, dsn, rate, seconds = sys.argv[1:5]
    # The file is the benchmark's own, written a moment ago by the parent process.
    columns, rows = pickle.loads(Path(rows_file).read_bytes())  # noqa: S301
    achieved, took = asyncio.run(write(dsn, columns, rows, int(rate), float(seconds)))
    print(json.dumps({"achieved_rate": achieved, "commit_seconds": took}))


if __name__ == "__main__":
    main()
