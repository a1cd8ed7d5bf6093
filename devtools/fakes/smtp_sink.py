"""A local SMTP server (aiosmtpd) that keeps what it receives, for development and tests.

It can be told to misbehave, the way a real mail server does:

- ``accept``: store every message (in memory, and as ``.eml`` files when given a folder);
- ``tempfail``: answer ``451`` to RCPT (try again later);
- ``reject``: answer ``550`` to RCPT (no such mailbox);
- ``refuse``: stop listening, so connections are refused.

In tests, drive the :class:`SmtpSink` object. Standalone (``orderflow dev smtp-sink``) it also
serves a small HTTP API: ``GET /messages``, ``DELETE /messages``, ``PUT /mode/{mode}``.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

# Defined apart so the CLI can import it without aiosmtpd; re-exported here.
from devtools.fakes.smtp_sink_mode import SinkMode as SinkMode  # noqa: PLC0414


@dataclass(frozen=True)
class ReceivedMail:
    """One message the sink accepted."""

    message_id: str
    mail_from: str
    rcpt_tos: tuple[str, ...]
    subject: str
    raw: bytes
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def text(self) -> str:
        """The plain-text body, decoded (transfer encoding undone)."""
        parsed = message_from_bytes(self.raw, policy=policy.default)
        part = parsed.get_body(preferencelist=("plain",))
        return str(part.get_content()) if part is not None else ""

    def summary(self) -> dict[str, Any]:
        """A JSON-friendly view (without the raw bytes)."""
        return {
            "message_id": self.message_id,
            "mail_from": self.mail_from,
            "rcpt_tos": list(self.rcpt_tos),
            "subject": self.subject,
            "received_at": self.received_at.isoformat(),
            "size": len(self.raw),
        }


class SmtpSink:
    """The sink: an aiosmtpd server on the running event loop."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, folder: Path | None = None) -> None:
        self.host = host
        self.port = port
        self.folder = folder
        self.messages: list[ReceivedMail] = []
        self.rcpt_attempts = 0
        self._mode = SinkMode.ACCEPT
        self._server: asyncio.Server | None = None
        self._numbers = itertools.count(1)

    @property
    def mode(self) -> SinkMode:
        """The current behaviour."""
        return self._mode

    async def set_mode(self, mode: SinkMode | str) -> None:
        """Switch behaviour; ``refuse`` closes the listening socket, the others reopen it."""
        self._mode = SinkMode(mode)
        if self._mode is SinkMode.REFUSE:
            await self._close()
        elif self._server is None:
            await self._listen()

    async def start(self) -> SmtpSink:
        """Start listening (on a free port when ``port`` is 0)."""
        if self.folder:
            self.folder.mkdir(parents=True, exist_ok=True)
        await self._listen()
        return self

    async def stop(self) -> None:
        """Stop listening."""
        await self._close()

    def with_message_id(self, message_id: str) -> list[ReceivedMail]:
        """Every received copy of ``message_id``."""
        return [m for m in self.messages if m.message_id == message_id]

    async def _listen(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: SMTP(_Handler(self), hostname="orderflow-smtp-sink"), self.host, self.port
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    def _store(self, envelope: Envelope) -> None:
        raw = envelope.original_content or b""
        parsed = message_from_bytes(raw, policy=policy.default)
        mail = ReceivedMail(
            message_id=str(parsed.get("Message-ID", "")).strip(),  # may arrive folded
            mail_from=str(envelope.mail_from or ""),
            rcpt_tos=tuple(envelope.rcpt_tos),
            subject=str(parsed.get("Subject", "")).strip(),
            raw=raw,
        )
        self.messages.append(mail)
        if self.folder:
            (self.folder / f"{next(self._numbers):06d}.eml").write_bytes(raw)


class _Handler:
    """aiosmtpd hooks: answer RCPT according to the mode, keep DATA."""

    def __init__(self, sink: SmtpSink) -> None:
        self._sink = sink

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        self._sink.rcpt_attempts += 1
        if self._sink.mode is SinkMode.TEMPFAIL:
            return "451 4.3.0 Mailbox temporarily unavailable, try again later"
        if self._sink.mode is SinkMode.REJECT:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 (aiosmtpd's hook name)
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        self._sink._store(envelope)
        return "250 Message accepted for delivery"
