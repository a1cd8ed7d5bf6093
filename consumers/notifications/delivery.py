"""Delivering a recorded notification: the runtime's after-commit effect.

The row was committed (``pending``) before this runs, so a crash at any point leaves a record,
and every attempt carries the same Message-ID. A ``sent`` row is never sent again (a
redelivered or replayed event), and a send the server accepted is never repeated because its
``sent`` mark failed: see :mod:`consumers.notifications.sending` for the states, the retried
marks, and the one window that remains (a process dying between the server's acceptance and
the mark). A sender holds its notification's lock from before its claim until its mark
(:mod:`consumers.notifications.sender_lock`): a claim whose sender died is taken over at
once, and a live sender is waited for, never sent beside.
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
from consumers.notifications.sender_lock import TAKEOVERS, sender_lock
from consumers.notifications.sending import (
    MARK_PATIENCE_SECONDS,
    Marks,
    SendLedger,
    claim,
    current,
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
    group: str = "notifications",
    mark_patience_seconds: float = MARK_PATIENCE_SECONDS,
) -> Effect:
    """The effect sending the emails recorded for an event, unless already sent.

    ``mark_patience_seconds``: how long a failing mark is retried before the batch waits.
    """
    sender = _Sender(mailer, SendLedger(), Marks(mark_patience_seconds), group)

    async def deliver(event: IntegrationEvent, ctx: EffectContext) -> None:
        for row in await unsent(ctx.sessions, ctx.envelope.event_id):
            await sender.deliver(
                ctx, row["message_id"], lambda b: _fill_in(b, event, ctx.sessions, reset_links)
            )

    return deliver


class _Sender:
    """Sends one notification at a time under its lock; the state shared by every call."""

    def __init__(self, mailer: Mailer, ledger: SendLedger, marks: Marks, group: str) -> None:
        self.mailer, self.ledger, self.marks, self.group = mailer, ledger, marks, group

    async def deliver(
        self, ctx: EffectContext, message_id: str, fill_in: Callable[[str], Awaitable[str]]
    ) -> None:
        sessions = ctx.sessions
        if self.ledger.outcome(message_id) is True:  # sent here; only the mark is missing
            await self.marks.sent(sessions, message_id)
            self.ledger.forget(message_id)
            return
        async with sender_lock(sessions, message_id, self.group) as held:
            if not held:
                raise TransientError(f"{message_id} is being sent by another attempt")
            row = await current(sessions, message_id)  # read again: under the lock, the truth
            if row is None or row["status"] == "sent":
                return  # the live sender we waited for sent it
            if row["status"] == "sending" and self.ledger.outcome(message_id) is None:
                self._taking_over(ctx, row)
            await _deliver(ctx, self.ledger, self.marks, self.mailer, row, fill_in)

    def _taking_over(self, ctx: EffectContext, row: dict[str, Any]) -> None:
        """Its claim is ``sending`` and nobody holds the lock: its sender died mid-send."""
        TAKEOVERS.labels(self.group).inc()
        log.warning(
            "send_taken_over",
            message_id=row["message_id"],
            claimed_at=str(row["last_attempt_at"]),
            event_id=str(ctx.envelope.event_id),
            correlation_id=ctx.envelope.correlation_id,
        )


async def _deliver(
    ctx: EffectContext,
    ledger: SendLedger,
    marks: Marks,
    mailer: Mailer,
    row: dict[str, Any],
    fill_in: Callable[[str], Awaitable[str]],
) -> None:
    """Fill in, claim, send and mark ``row``; the caller holds its lock."""
    message_id, sessions = row["message_id"], ctx.sessions
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
