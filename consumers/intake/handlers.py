"""Submissions over Kafka: who sent it, is it readable, then the same command as HTTP.

``ce_source`` must be the id of an active service client, else the record is dead-lettered
and nobody is answered (there is nobody to answer). A known source always gets one reply: an
``OrderAccepted`` or ``OrderRejected``. A record from a known source that breaks the schema,
or from a client without ``orders:write``, is answered (``invalid_payload``,
``unauthorized_source``) AND dead-lettered: the handler records the reply in the batch, the
effect after the commit raises so the runtime writes the dead letter with the reason.

Duplicates: the runtime's inbox skips a (``ce_source``, ``ce_id``) seen before (the group's
inbox key); the command answers a known (client, external_reference) from the stored
submission.
"""

from __future__ import annotations

import uuid

import structlog

from consumers.intake.batch import Batch, source_id
from consumers.runtime import EffectContext, MessageContext, PermanentError
from domains.identity import api as identity
from domains.orders import api as orders
from domains.shared import Conflict, DomainError
from events.schemas.orders import OrderSubmitted

log = structlog.get_logger("orderflow.intake")
INVALID_PAYLOAD = "invalid_payload"
UNAUTHORIZED_SOURCE = "unauthorized_source"


async def take_submission(event: OrderSubmitted, ctx: MessageContext) -> None:
    """Decide one submission in the batch's transaction (its reply goes with it)."""
    client = await _known_source(ctx)
    refusal = _refusal(event, client)
    if refusal is None:
        try:
            command = _command(event, client)
        except DomainError as error:  # a rule the command itself checks (the currency)
            refusal = (error.code, error.message)
    if refusal is not None:
        await _reject(event, ctx, client, refusal)
        return
    batch = ctx.batch if isinstance(ctx.batch, Batch) else None
    try:
        result = await orders.submit_in(
            ctx.session, command, None if batch is None else batch.decided
        )
    except Conflict as error:  # the reference was used for another order: answered before
        raise PermanentError(f"{error.code}: {error.message}") from error
    log.info(
        "submission_decided",
        client_id=str(client.client_id),
        outcome=result.outcome.value,
        reason=result.reason,
        repeated=result.replayed,
    )


async def dead_letter_refused(event: OrderSubmitted, ctx: EffectContext) -> None:
    """After the reply committed: dead-letter a record that broke the schema or came from a
    client that may not submit (the runtime writes the dead letter with this reason)."""
    if event.problem is not None:
        raise PermanentError(f"{INVALID_PAYLOAD}: {event.problem}")
    async with ctx.sessions() as session:
        client = await identity.find_client(session, _client_id(ctx.envelope.source))
    if client is not None and not client.may(identity.ORDERS_WRITE):
        raise PermanentError(f"{UNAUTHORIZED_SOURCE}: client {client.name} lacks orders:write")


async def _known_source(ctx: MessageContext) -> identity.ServiceClient:
    client_id = _client_id(ctx.envelope.source)
    if isinstance(ctx.batch, Batch):  # the batch read every source already
        client = ctx.batch.clients.get(client_id)
    else:
        client = await identity.find_client(ctx.session, client_id)
    if client is None:
        raise PermanentError(
            f"{UNAUTHORIZED_SOURCE}: ce_source {ctx.envelope.source[:100]!r} is no active client"
        )
    return client


def _client_id(source: str) -> uuid.UUID:
    client_id = source_id(source)
    if client_id is None:
        raise PermanentError(
            f"{UNAUTHORIZED_SOURCE}: ce_source {source[:100]!r} is not a client id"
        )
    return client_id


def _refusal(event: OrderSubmitted, client: identity.ServiceClient) -> tuple[str, str] | None:
    if not client.may(identity.ORDERS_WRITE):
        return UNAUTHORIZED_SOURCE, f"client {client.name} lacks the orders:write scope"
    if event.problem is not None:
        return INVALID_PAYLOAD, event.problem
    return None


def _command(event: OrderSubmitted, client: identity.ServiceClient) -> orders.SubmitOrder:
    return orders.SubmitOrder(
        client=client,
        external_reference=event.external_reference,
        customer_id=event.customer_id,
        currency=event.currency,
        lines=tuple(orders.SubmittedLine(**line.model_dump()) for line in event.lines),
        channel=orders.Channel.KAFKA,
        payment_reference=None if event.payment is None else event.payment.reference,
    )


async def _reject(
    event: OrderSubmitted,
    ctx: MessageContext,
    client: identity.ServiceClient,
    refusal: tuple[str, str],
) -> None:
    answered = await orders.reject_unreadable(
        ctx.session,
        client.client_id,
        event.readable_reference,
        orders.Channel.KAFKA,
        orders.request_hash(ctx.envelope.payload.decode(errors="replace")),
        refusal,
    )
    log.info(
        "submission_refused", client_id=str(client.client_id), reason=refusal[0], answered=answered
    )
