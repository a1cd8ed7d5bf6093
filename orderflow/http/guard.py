"""The request guard: malformed or oversized requests are refused before any route runs.

Headers, path and query are checked first; the body is read as it streams in and refused with
413 as soon as it passes the limit (a 10 MB upload costs the limit, not 10 MB), then checked
(UTF-8, depth, storable characters) and handed to the app from memory. What is refused and
why: ``orderflow.http.malformed``.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from orderflow.http.malformed import (
    Refusal,
    form_refusal,
    header_refusal,
    json_refusal,
    url_refusal,
)


class RequestGuard:
    """ASGI middleware refusing malformed requests with problem responses (400, 413, 422)."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_json_depth: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_json_depth = max_json_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = header_refusal(scope["headers"]) or url_refusal(
            _raw_path(scope), scope.get("query_string", b"")
        )
        if refusal is None:
            refusal = self._length_refusal(scope)
        body = b""
        if refusal is None:
            read = await self._read_body(receive)
            if read is None:  # the client went away mid-body: nobody to answer, nothing to do
                return
            if isinstance(read, Refusal):
                refusal = read
            else:
                body = read
        if refusal is None:
            refusal = self._body_refusal(scope, body)
        if refusal is not None:
            await refusal.response()(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    def _length_refusal(self, scope: Scope) -> Refusal | None:
        declared = _header(scope, b"content-length")
        if declared is None:
            return None
        if not declared.isdigit():
            return Refusal(400, "malformed_header", "Content-Length is not a number of bytes")
        return self._too_large() if int(declared) > self.max_body_bytes else None

    async def _read_body(self, receive: Receive) -> bytes | Refusal | None:
        """The body; a 413 refusal as soon as it passes the limit; None if the client left."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return self._too_large()
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _body_refusal(self, scope: Scope, body: bytes) -> Refusal | None:
        if not body:
            return None
        media_type = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
        if media_type == "application/json" or media_type.endswith("+json"):
            return json_refusal(body, max_depth=self.max_json_depth)
        if media_type == "application/x-www-form-urlencoded":
            return form_refusal(body, location="body")
        return None

    def _too_large(self) -> Refusal:
        return Refusal(
            413,
            "body_too_large",
            f"The request body is larger than {self.max_body_bytes} bytes.",
        )


def _header(scope: Scope, name: bytes) -> str | None:
    # The headers passed header_refusal: UTF-8 without controls.
    for key, value in scope["headers"]:
        if key.lower() == name:
            return str(value.decode().strip())
    return None


def _raw_path(scope: Scope) -> bytes:
    raw = scope.get("raw_path")
    if raw is None:
        return str(scope["path"]).encode()
    return bytes(raw).split(b"?", 1)[0]  # some servers and test transports keep the query


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the app the body already read, then the real messages."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()  # e.g. http.disconnect, which streaming responses watch for
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
