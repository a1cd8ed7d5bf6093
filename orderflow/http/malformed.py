"""What makes a request malformed before any route sees it.

Bytes that are not UTF-8 text, characters PostgreSQL cannot store in ``text`` (U+0000, and
unpaired surrogates that have no UTF-8 form) and JSON nested deeper than any body we take.
Each check returns the :class:`Refusal` to answer with, or ``None``. They run on every request
before the route, so a refused request has no effect anywhere: a refund is never sent to the
provider with a reason the database then refuses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote_to_bytes

from fastapi.responses import JSONResponse

from domains.shared.problems import problem

# Header bytes that no HTTP/1.1 field may carry (RFC 9110 5.5): controls other than HTAB.
_CONTROL = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")
# What text columns cannot hold: NUL, and surrogates (only JSON's \ud800 escapes make them).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


@dataclass(frozen=True)
class Refusal:
    """Why a request is refused: a status, a stable code and where the bad input was."""

    status: int
    code: str
    detail: str
    errors: tuple[dict[str, Any], ...] = ()

    def response(self) -> JSONResponse:
        """The problem response (``errors`` only when a location is known)."""
        extra: dict[str, Any] = {"errors": list(self.errors)} if self.errors else {}
        return problem(self.status, self.code, self.detail, **extra)


def header_refusal(headers: Iterable[tuple[bytes, bytes]]) -> Refusal | None:
    """400 ``malformed_header`` for a header with control bytes or bytes that are not UTF-8."""
    for name, value in headers:
        if _CONTROL.search(name) or _CONTROL.search(value) or not _is_utf8(name + value):
            shown = name.decode("ascii", "backslashreplace")
            return Refusal(
                400,
                "malformed_header",
                f"header {shown!r} holds control characters or bytes that are not UTF-8",
                ({"loc": ["header", shown], "type": "malformed_header", "msg": "not UTF-8 text"},),
            )
    return None


def url_refusal(raw_path: bytes, query: bytes) -> Refusal | None:
    """400 ``malformed_url`` for a path or query that is not UTF-8 once percent-decoded;
    422 ``invalid_character`` for a NUL in either."""
    path = _utf8(unquote_to_bytes(raw_path))
    if path is None:
        return _not_utf8_url("the path")
    if "\x00" in path:
        return _invalid_character(["path"])
    return form_refusal(query, location="query")


def form_refusal(encoded: bytes, *, location: str) -> Refusal | None:
    """The checks of :func:`url_refusal` for ``application/x-www-form-urlencoded`` pairs."""
    # latin-1 maps every byte to one character, so the pairs keep their raw bytes to check.
    pairs = parse_qsl(encoded.decode("latin-1"), keep_blank_values=True, encoding="latin-1")
    for raw_name, raw_value in pairs:
        name = _utf8(raw_name.encode("latin-1"))
        value = _utf8(raw_value.encode("latin-1"))
        if name is None or value is None:
            return _not_utf8_url(f"the {location} string")
        if "\x00" in name or "\x00" in value:
            return _invalid_character([location, name.replace("\x00", "\\x00")])
    return None


def json_refusal(body: bytes, *, max_depth: int) -> Refusal | None:
    """400 ``malformed_json`` (not UTF-8, not JSON), 400 ``json_too_deep``, or 422
    ``invalid_character`` for a string that cannot be stored."""
    text = _utf8(body)
    if text is None:
        return Refusal(400, "malformed_json", "The request body is not UTF-8 (RFC 8259).")
    try:
        document = json.loads(text)
    except RecursionError:
        return _too_deep(max_depth)
    except ValueError as exc:  # JSONDecodeError, and integers longer than Python converts
        return Refusal(400, "malformed_json", f"The request body is not valid JSON: {exc}")
    return _walk(document, max_depth)


def _walk(document: Any, max_depth: int) -> Refusal | None:
    """Depth and characters of every container, key and string, without recursion."""
    stack: list[tuple[Any, list[str | int], int]] = [(document, ["body"], 0)]
    while stack:
        value, loc, depth = stack.pop()
        if isinstance(value, str):
            if _UNSTORABLE.search(value):
                return _invalid_character(loc)
        elif isinstance(value, dict | list):
            if depth >= max_depth:
                return _too_deep(max_depth)
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str) and _UNSTORABLE.search(key):
                    return _invalid_character(loc)
                stack.append((item, [*loc, key], depth + 1))
    return None


def _too_deep(max_depth: int) -> Refusal:
    return Refusal(
        400, "json_too_deep", f"The request body nests more than {max_depth} arrays or objects."
    )


def _invalid_character(loc: list[str | int]) -> Refusal:
    return Refusal(
        422,
        "invalid_character",
        "Text may not contain U+0000 or unpaired surrogates; remove them and send again.",
        ({"loc": loc, "type": "invalid_character", "msg": "U+0000 or an unpaired surrogate"},),
    )


def _not_utf8_url(where: str) -> Refusal:
    return Refusal(400, "malformed_url", f"{where} is not UTF-8 once percent-decoded")


def _utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _is_utf8(data: bytes) -> bool:
    return _utf8(data) is not None
