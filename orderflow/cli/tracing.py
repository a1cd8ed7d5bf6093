"""Tracing for a process the CLI starts: on only when the ``OTEL_*`` variables ask for it."""

from __future__ import annotations

import os

from orderflow.cli.errors import UserError


def trace_process(role: str) -> None:
    """Start tracing as ``role`` (``api``, ``relay``, ``consumer-<name>``, ``run``, ``dlq``…)
    when the environment asks; a setting this build cannot honour is one clear error."""
    from orderflow.settings.tracing import wanted_exporters

    if not wanted_exporters(os.environ):
        return  # before the SDK's import: a process that does not trace never loads it
    from orderflow.telemetry import TracingMisconfigured, start_tracing

    try:
        start_tracing(role)
    except TracingMisconfigured as exc:
        raise UserError(str(exc)) from None
