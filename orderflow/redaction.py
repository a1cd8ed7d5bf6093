"""What never reaches a log line: secrets by field name, and secrets or addresses by shape.

``redact_secrets`` is a structlog processor. It runs on the rendered-to-be event dict of every
record, structlog's and the standard library's alike (uvicorn, SQLAlchemy, aiokafka), after
tracebacks are formatted, so an exception message that quotes a value is scrubbed too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping
from typing import Any

REDACTED = "[redacted]"

# A field whose name contains one of these holds a secret, whatever its value looks like.
_SECRET_NAMES = (
    "password",
    "passwd",
    "secret",
    "token",
    "authorization",
    "cookie",
    "card",
    "credential",
    "api_key",
    "private_key",
)

# Secrets and personal data recognisable by their shape, wherever they appear in a string.
_SHAPES = (
    # JWTs: base64url JSON header ("{" encodes to "ey") . payload . signature
    (re.compile(r"\beyJ[\w-]*\.[\w-]+\.[\w-]*"), "[jwt]"),
    # argon2 PHC strings: $argon2id$v=19$m=...,t=...,p=...$salt$hash
    (re.compile(r"\$argon2(?:id|i|d)\$[^\s\"',]*(?:,[^\s\"',]*)*"), "[password-hash]"),
    # a bearer credential in a header dump
    (re.compile(r"(?i)\bbearer\s+[\w.~+/=-]+"), "Bearer [redacted]"),
    # a token in a URL query or fragment (reset links): ?token=…, #token=…, &refresh_token=…
    (re.compile(r"(?i)([?#&;][\w-]*token=)[^&#\s\"']+"), r"\1[redacted]"),
    # card tokens of the payment provider (tok_…)
    (re.compile(r"\btok_[A-Za-z0-9_]+"), "[card-token]"),
    # e-mail addresses
    (re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
)


def scrub(text: str) -> str:
    """``text`` with every secret- or address-shaped part replaced."""
    for pattern, replacement in _SHAPES:
        text = pattern.sub(replacement, text)
    return text


def is_secret_name(name: str) -> bool:
    """Whether a field called ``name`` holds a secret (``password_hash``, ``refresh_token``…)."""
    lowered = name.lower()
    return any(part in lowered for part in _SECRET_NAMES)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, Mapping):
        return {k: REDACTED if is_secret_name(str(k)) else _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_clean(v) for v in value]
    if isinstance(value, bytes):
        return scrub(value.decode("utf-8", errors="replace"))
    if value is None or isinstance(value, bool | int | float):
        return value
    return scrub(str(value))  # the renderer would print str()/repr() of it as it is


def redact_secrets(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> dict[str, Any]:
    """structlog processor: secret fields blanked, secret shapes and addresses scrubbed."""
    return {
        key: REDACTED if is_secret_name(key) else _clean(value) for key, value in event_dict.items()
    }
