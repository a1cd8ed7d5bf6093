"""Sending email over SMTP (aiosmtplib), with SMTP answers mapped to the runtime's failure classes.

A 4xx answer, a refused connection, a timeout or a dropped connection is transient (the server
may be back later: retry tiers); a 5xx answer is permanent (the address or the message is
rejected: dead letter).
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

import aiosmtplib

from consumers.runtime import PermanentError, TransientError


class Mailer(Protocol):
    """Sends one message to the recipients in its headers."""

    sender: str

    async def send(self, message: EmailMessage) -> None:
        """Deliver ``message`` or raise ``TransientError`` / ``PermanentError``."""
        ...


class RecipientRejected(PermanentError):
    """The server refused the address for good (5xx on RCPT)."""


class MessageRejected(PermanentError):
    """The server refused the message for good (5xx outside RCPT)."""


class SmtpUnavailable(TransientError):
    """The server could not be reached or asked us to try later."""


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to send; TLS and credentials are optional (from the environment)."""

    host: str = "127.0.0.1"
    port: int = 1025
    sender: str = "orderflow <no-reply@orderflow.example>"
    use_tls: bool = False
    start_tls: bool | None = None  # None: upgrade when the server offers it
    username: str | None = None
    password: str | None = None
    timeout_seconds: float = 10.0


class SmtpMailer:
    """A :class:`Mailer` on a real SMTP server; one connection per message (low volume)."""

    def __init__(self, config: SmtpConfig) -> None:
        self._config = config
        self.sender = config.sender

    async def send(self, message: EmailMessage) -> None:
        """Send ``message``; SMTP errors become transient or permanent failures."""
        c = self._config
        try:
            await aiosmtplib.send(
                message,
                hostname=c.host,
                port=c.port,
                use_tls=c.use_tls,
                start_tls=c.start_tls,
                username=c.username,
                password=c.password,
                timeout=c.timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as refused:
            codes = [r.code for r in refused.recipients]
            if all(code >= 500 for code in codes):
                raise RecipientRejected(f"recipient refused: {refused}") from refused
            raise SmtpUnavailable(f"recipient deferred: {refused}") from refused
        except aiosmtplib.SMTPConnectResponseError as error:
            raise SmtpUnavailable(f"server refused the session: {error}") from error
        except aiosmtplib.SMTPResponseException as error:
            if error.code >= 500:
                raise MessageRejected(f"{error.code} {error.message}") from error
            raise SmtpUnavailable(f"{error.code} {error.message}") from error
        except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPConnectError, OSError) as error:
            raise SmtpUnavailable(f"SMTP server unreachable: {error}") from error
