"""Delivering a recorded notification: the runtime's after-commit effect.

The row was committed (``pending``) before this runs, so a crash at any point leaves a record,
and every attempt carries the same Message-ID. A ``sent`` row is never sent again (a
redelivered or replayed event), and a send the server accepted is never repeated because its
``sent`` mark failed: see :mod:`consumers.notifications.sending` for the states, the retried
marks, and the one window that remains (a process dying between the server's acceptance and
the mark).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.notifications.mailer import Mailer
from consumers.notifications.resets import RESET_LINK, ResetLinks
from consumers.notifications.sending import (
    MARK_PATIENCE_SECONDS,
    Marks,
    SendLedger,
    claim,
    unsent,
)
from consumers.runtime import Effect, EffectContext, PermanentError, TransientError
from events import IntegrationEvent

Sessions = async_sessionmaker[AsyncSession]
log = structlog.get_logger("orderflow.consumers.notifications")


def deliver_notification(
    mailer: Mailer,
    reset_links: ResetLinks | None = None,
    *,
    mark_patience_seconds: float = MARK_PATIENCE_SECONDS,
) -> Effect:
    """The effect sending the emails recorded for an event, unless already sent.

    ``mark_patience_seconds``: how long a failing mark is retried before the batch waits.
    """
    ledger = SendLedger()
    marks = Marks(mark_patience_seconds)

    async def deliver(event: IntegrationEvent, ctx: EffectContext) -> None:
        for row in await unsent(ctx.sessions, ctx.envelope.event_id):
            await _deliver(
                ctx,
                ledger,
                marks,
                mailer,
                row,
                lambda body: _fill_in(body, event, ctx.sessions, reset_links),
            )

    return deliver


async def _deliver(
    ctx: EffectContext,
    ledger: SendLedger,
    marks: Marks,
    mailer: Mailer,
    row: dict[str, Any],
    fill_in: Callable[[str], Awaitable[str]],
) -> None:
    message_id, sessions = row["message_id"], ctx.sessions
    if ledger.outcome(message_id) is True:  # sent by this process; only the mark is missing
        await marks.sent(sessions, message_id)
        ledger.forget(message_id)
        return
    if not row["lease_over"] and ledger.outcome(message_id) is None:
        raise TransientError(f"{message_id} is being sent by another attempt")
    try:
        body = await fill_in(row["body"])  # before the claim: nothing was sent
    except PermanentError as error:
        await marks.not_sent(sessions, message_id, error)
        raise
    if not await claim(sessions, row):
        raise TransientError(f"{message_id} was claimed by another attempt")
    try:
        await mailer.send(_message({**row, "body": body}, mailer.sender))
    except Exception as error:
        ledger.remember(message_id, False)
        await marks.not_sent(sessions, message_id, error)
        raise
    ledger.remember(message_id, True)
    await marks.sent(sessions, message_id)
    ledger.forget(message_id)
    # Ids only: the address and the body are personal data.
    log.info(
        "email_sent",
        kind=row["kind"],
        message_id=message_id,
        event_id=str(ctx.envelope.event_id),
        correlation_id=ctx.envelope.correlation_id,
    )


async def _fill_in(
    body: str, event: IntegrationEvent, sessions: Sessions, reset_links: ResetLinks | None
) -> str:
    """Put the secrets a body refers to in place, fetched now (they are never stored)."""
    if RESET_LINK not in body:
        return body
    reset_id = getattr(event, "reset_id", None)
    if reset_links is None or reset_id is None:
        raise PermanentError("this email needs a reset link, and no link source is configured")
    return body.replace(RESET_LINK, await reset_links.link_for(reset_id, sessions))


def _message(row: dict[str, Any], sender: str) -> EmailMessage:
    message = EmailMessage()
    message["Message-ID"] = row["message_id"]
    message["From"] = sender
    message["To"] = row["recipient"]
    message["Subject"] = row["subject"]
    message["Date"] = formatdate(usegmt=True)
    message["X-Orderflow-Event-Id"] = str(row["event_id"])
    message.set_content(row["body"])
    return message
