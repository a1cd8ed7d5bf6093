"""Binding a process's listening ports before anything else starts.

A port in use is the operator's to fix (another process, or the same one started twice): it
is one ``error:`` line and exit status 2, before any connection to PostgreSQL or Kafka is
opened, so nothing half-started has to be torn down.
"""

from __future__ import annotations

import socket

from orderflow.cli.errors import UserError


def listen(host: str, port: int, *, serves: str, change: str) -> socket.socket:
    """A socket listening on ``host:port`` for ``serves``; ``change`` says how to pick another."""
    try:
        return socket.create_server((host, port), reuse_port=False)
    except OSError as error:
        raise UserError(
            f"cannot serve {serves} on {host}:{port}: {error.strerror or error}; "
            f"is it already running? Stop it or {change}"
        ) from None
