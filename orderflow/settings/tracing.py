"""Whether the standard ``OTEL_*`` variables ask for traces (read without importing the SDK).

Off by default. On when ``OTEL_TRACES_EXPORTER`` names exporters, or when only an OTLP endpoint
is set (then ``otlp``); off again with ``OTEL_SDK_DISABLED=true`` or ``OTEL_TRACES_EXPORTER=none``.
"""

from __future__ import annotations

from collections.abc import Mapping


def wanted_exporters(env: Mapping[str, str]) -> list[str]:
    """The exporters the environment asks for; empty: tracing stays off."""
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return []
    named = [n.strip() for n in env.get("OTEL_TRACES_EXPORTER", "").split(",") if n.strip()]
    if not named and otlp_endpoint(env):
        named = ["otlp"]
    return [] if named in ([], ["none"]) else named


def otlp_endpoint(env: Mapping[str, str]) -> str:
    """The OTLP endpoint for traces, if one is set."""
    return env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or env.get(
        "OTEL_EXPORTER_OTLP_ENDPOINT", ""
    )
