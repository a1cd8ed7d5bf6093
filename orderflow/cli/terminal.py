"""Untrusted text made safe to print on an operator's terminal.

Kafka keys, headers and payloads are written by anyone who can produce to a topic. Printed as
they are, an escape sequence could move the cursor, retitle the window or hide lines, and a
bidirectional control could reorder what the operator reads. Every character that is not
printable is shown as its Python escape instead (``\\x1b``, ``\\u202e``).
"""

from __future__ import annotations


def printable(text: str) -> str:
    """``text`` on one line, each non-printable character (newlines too) as an escape."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _escape(c) for c in text)


def printable_lines(text: str) -> str:
    """Like :func:`printable`, keeping the line breaks (payloads, stack traces)."""
    return "\n".join(printable(line) for line in text.split("\n"))


def _escape(character: str) -> str:
    code = ord(character)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
