"""A pytest plugin: no log line of the e2e and fault suites holds a secret or an address.

Every log written while those suites run is scanned: each orderflow subprocess's output (its
starter calls :func:`watch`), and the lines this test process renders through the production
logging set-up (in-process APIs, consumers, relays). A test fails at teardown when a line shows
an e-mail address, a password, an argon2 hash, a JWT, a card token or a reset/refresh token.
The finding names the kind, file and line, never the secret itself.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from orderflow.logging import configure_logging

# The passwords the suites use (their shapes say nothing, so they are looked for literally).
KNOWN_PASSWORDS = (
    "correct horse battery staple",
    "faults-password-123",
    "an admin passphrase",
    "a new passphrase 2",
    "a reset passphrase 3",
    "bench password 123",
)

SHAPES = {
    "e-mail address": re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+"),
    "argon2 hash": re.compile(r"\$argon2(?:id|i|d)\$"),
    "JWT": re.compile(r"\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]*"),
    "card token": re.compile(r"\btok_[A-Za-z0-9_]+"),
    "token in a URL": re.compile(r"(?i)token=(?!\[redacted\])[\w-]{16,}"),
    "secret field": re.compile(
        r"(?i)[\"']?\b(?:\w*password|\w*_token|authorization|secret)[\"']?\s*[:=]\s*"
        r"[\"'](?!\[redacted\]|bearer[\"'])[^\"']+"
    ),
    "password": re.compile("|".join(re.escape(p) for p in KNOWN_PASSWORDS)),
}

# What may match and why. Each entry is (kind, a regex the whole finding's line must match).
ALLOWED: tuple[tuple[str, re.Pattern[str]], ...] = (
    # OAuth's token_type in a JSON body is a type name, not a token.
    ("secret field", re.compile(r"token_type")),
)

SCANNED_DIRECTORIES = ("e2e", "faults")
_watched: dict[Path, int] = {}  # log file -> how far it was scanned


def watch(log: Path) -> None:
    """Scan ``log`` (an orderflow subprocess's output) at the end of the test that started it."""
    _watched.setdefault(log, 0)


@dataclass(frozen=True)
class Finding:
    """A secret-shaped thing in a log line (its value is not kept)."""

    kind: str
    where: str

    def __str__(self) -> str:
        return f"{self.kind} in {self.where}"


def findings(lines: list[str], source: str, first_line: int = 1) -> list[Finding]:
    """What in ``lines`` looks like a secret or an address, minus the allowed."""
    found = []
    for number, line in enumerate(lines, start=first_line):
        for kind, shape in SHAPES.items():
            if shape.search(line) and not _allowed(kind, line):
                found.append(Finding(kind, f"{source}:{number}"))
    return found


def _allowed(kind: str, line: str) -> bool:
    return any(kind == allowed and reason.search(line) for allowed, reason in ALLOWED)


def _scan_watched() -> list[Finding]:
    found = []
    for log, offset in list(_watched.items()):
        if not log.exists():
            continue
        text = log.read_bytes().decode("utf-8", errors="replace")
        done = text[:offset].count("\n")
        found += findings(text[offset:].splitlines(), str(log), first_line=done + 1)
        _watched[log] = len(text)
    return found


@pytest.fixture(autouse=True)
def logs_hold_no_secrets(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail an e2e or fault test whose logs (its processes' and this one's) leak a secret."""
    parts = Path(str(request.node.fspath)).parts
    if not any(directory in parts for directory in SCANNED_DIRECTORIES):
        yield
        return
    captured = _capture_rendered_lines()
    yield
    logging.getLogger().removeHandler(captured)
    stream = captured.stream
    assert isinstance(stream, io.StringIO)
    found = findings(stream.getvalue().splitlines(), "this test process") + _scan_watched()
    if found:
        pytest.fail("secrets or addresses in the logs: " + "; ".join(map(str, found[:20])))


def _capture_rendered_lines() -> logging.StreamHandler[io.StringIO]:
    """Render this process's records as production does (redaction included), into memory."""
    root = logging.getLogger()
    if not any(getattr(h, "orderflow", False) for h in root.handlers):
        configure_logging("INFO", "console")
        root.handlers[0].orderflow = True  # type: ignore[attr-defined]
    handler = logging.StreamHandler(io.StringIO())
    handler.setFormatter(next(h for h in root.handlers if getattr(h, "orderflow", False)).formatter)
    root.addHandler(handler)
    return handler
