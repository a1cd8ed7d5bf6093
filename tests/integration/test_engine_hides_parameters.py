"""A failed statement's error names the statement, not its values (error texts end up in logs)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from orderflow.redaction import scrub

HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA"


async def test_a_failed_statement_does_not_carry_its_parameters(engine: AsyncEngine) -> None:
    with pytest.raises(DBAPIError) as failure:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT CAST(:value AS integer)"), {"value": HASH})

    message = str(failure.value)
    assert "SELECT CAST($1 AS integer)" in message
    assert "[SQL parameters hidden due to hide_parameters=True]" in message
    assert HASH not in message
    # The driver's own message may still quote the start of a bad value; the log processor
    # scrubs what has the shape of a secret before a line is written.
    assert "$argon2id$" not in scrub(message)
