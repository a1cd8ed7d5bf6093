"""Checkout requests store the outcome, not an HTTP response; the HTTP edge renders it.

``response_status`` + ``response_body`` become ``outcome`` (a settlement, or ``refused``) and
``answer`` (the order document, or the refusal's error kind, code and message). Stored rows
are converted both ways, so replays answer exactly as before. The texts below are frozen
copies of what the edge said at this revision.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Expand and contract in one step: a process of the previous release replaying a stored
# checkout reads response_status / response_body, gone after this upgrade. Roll it out with
# the API stopped (or every API process of the old release gone) before the upgrade; the
# downgrade converts the answers back, so nothing stored is lost either way.
DESTRUCTIVE = "expand+contract in one step: stop the old API processes before upgrading"

TABLE, SCHEMA = "checkout_requests", "orders"

TO_ANSWERS = """
UPDATE orders.checkout_requests SET
  outcome = CASE
    WHEN response_status = 201 THEN 'confirmed'
    WHEN response_status = 202 THEN 'payment_pending'
    WHEN response_body->>'code' = 'payment_declined' THEN 'declined'
    WHEN response_body->>'code' = 'payment_expired' THEN 'expired'
    ELSE 'refused' END,
  answer = CASE
    WHEN response_status = 201 THEN jsonb_build_object('order', response_body)
    WHEN response_status = 202 THEN jsonb_build_object('order', response_body - 'detail')
    WHEN response_body->>'code' IN ('payment_declined', 'payment_expired') THEN '{}'::jsonb
    ELSE jsonb_build_object('refusal', jsonb_build_object(
      'kind', CASE response_status
        WHEN 422 THEN 'InvalidInput' WHEN 404 THEN 'NotFound' WHEN 409 THEN 'Conflict'
        WHEN 403 THEN 'Forbidden' WHEN 503 THEN 'Unavailable' ELSE 'DomainError' END,
      'code', response_body->>'code',
      'message', response_body->>'detail')) END
WHERE status = 'completed'
"""

TO_RESPONSES = [
    """
    UPDATE orders.checkout_requests SET response_status = 201, response_body = answer->'order'
    WHERE outcome IN ('confirmed', 'already_settled')
    """,
    """
    UPDATE orders.checkout_requests SET response_status = 202,
      response_body = answer->'order' || jsonb_build_object('detail',
        'The payment provider has not answered yet; the order will be settled shortly.')
    WHERE outcome = 'payment_pending'
    """,
    """
    UPDATE orders.checkout_requests SET response_status = 402,
      response_body = jsonb_build_object(
        'type', 'https://orderflow.dev/problems/payment_declined', 'title', 'Payment declined',
        'status', 402, 'code', 'payment_declined',
        'detail', 'The payment was declined; the order is cancelled. Try another payment method.',
        'order_id', order_id::text)
    WHERE outcome = 'declined'
    """,
    """
    UPDATE orders.checkout_requests SET response_status = 402,
      response_body = jsonb_build_object(
        'type', 'https://orderflow.dev/problems/payment_expired', 'title', 'Payment expired',
        'status', 402, 'code', 'payment_expired',
        'detail', 'The payment could not be confirmed in time; the order is cancelled.',
        'order_id', order_id::text)
    WHERE outcome = 'expired'
    """,
    """
    UPDATE orders.checkout_requests AS r SET
      response_status = CASE c.kind
        WHEN 'InvalidInput' THEN 422 WHEN 'NotFound' THEN 404 WHEN 'Conflict' THEN 409
        WHEN 'Forbidden' THEN 403 WHEN 'Unavailable' THEN 503 ELSE 400 END,
      response_body = jsonb_build_object(
        'type', 'https://orderflow.dev/problems/' || c.code,
        'title', upper(left(c.words, 1)) || substr(c.words, 2),
        'status', CASE c.kind
          WHEN 'InvalidInput' THEN 422 WHEN 'NotFound' THEN 404 WHEN 'Conflict' THEN 409
          WHEN 'Forbidden' THEN 403 WHEN 'Unavailable' THEN 503 ELSE 400 END,
        'code', c.code, 'detail', c.message)
    FROM (
      SELECT customer_id, idempotency_key,
        answer->'refusal'->>'kind' AS kind, answer->'refusal'->>'code' AS code,
        replace(answer->'refusal'->>'code', '_', ' ') AS words,
        answer->'refusal'->>'message' AS message
      FROM orders.checkout_requests WHERE outcome = 'refused'
    ) AS c
    WHERE r.customer_id = c.customer_id AND r.idempotency_key = c.idempotency_key
    """,
]


def upgrade() -> None:
    op.add_column(TABLE, sa.Column("outcome", sa.Text()), schema=SCHEMA)
    op.add_column(TABLE, sa.Column("answer", postgresql.JSONB()), schema=SCHEMA)
    op.execute(TO_ANSWERS)
    op.drop_column(TABLE, "response_body", schema=SCHEMA)
    op.drop_column(TABLE, "response_status", schema=SCHEMA)


def downgrade() -> None:
    op.add_column(TABLE, sa.Column("response_status", sa.SmallInteger()), schema=SCHEMA)
    op.add_column(TABLE, sa.Column("response_body", postgresql.JSONB()), schema=SCHEMA)
    for statement in TO_RESPONSES:
        op.execute(statement)
    op.drop_column(TABLE, "answer", schema=SCHEMA)
    op.drop_column(TABLE, "outcome", schema=SCHEMA)
