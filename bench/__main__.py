"""``python -m bench report``: run every benchmark and write ``docs/benchmarks.md``.

python -m bench report                  # the full set, several minutes; commit what it wrote
python -m bench report --smoke          # every benchmark at a tiny size, in seconds
python -m bench report --output /tmp/x  # somewhere else than docs/
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.report import BenchmarkFailed, write_report

DOCS = Path(__file__).resolve().parent.parent / "docs"


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, write the report; 1 when a benchmark failed."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser("report", help="run every benchmark, write the report")
    report.add_argument("--smoke", action="store_true", help="tiny sizes: does each still run?")
    report.add_argument("--output", type=Path, default=DOCS, help="folder of benchmarks.md")
    args = parser.parse_args(argv)
    try:
        written = write_report(args.output, smoke=args.smoke)
    except BenchmarkFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {written}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
