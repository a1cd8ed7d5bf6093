"""No secret reaches a log line: by field name, by shape, in tracebacks and stdlib records."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from orderflow.logging import configure_logging

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
ARGON = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    """The JSON log lines of this process, as configured for production."""
    configure_logging("INFO", "json")
    stream = io.StringIO()
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    yield stream
    structlog.reset_defaults()
    logging.getLogger().handlers.clear()


def _logged(output: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.getvalue().splitlines() if line]


def test_secret_fields_are_blanked_whatever_their_value(
    output: io.StringIO,
) -> None:
    structlog.get_logger("t").info(
        "event",
        password="correct horse",
        new_password="hunter2hunter2",
        refresh_token="abc",
        authorization="Basic eDp5",
        card_token="tok_visa",
        nested={"secret": "s3cr3t", "ok": "kept"},
        user_id="5d1c",
    )

    [line] = _logged(output)
    for field in ("password", "new_password", "refresh_token", "authorization", "card_token"):
        assert line[field] == "[redacted]"
    assert line["nested"] == {"secret": "[redacted]", "ok": "kept"}
    assert line["user_id"] == "5d1c"


def test_secret_shapes_are_scrubbed_inside_any_text(
    output: io.StringIO,
) -> None:
    structlog.get_logger("t").info(
        f"sent to ada@example.com with {JWT}",
        detail=f"hash {ARGON} and Bearer {JWT[:20]} paid with tok_mastercard",
        link="https://shop.example/reset-password#token=Zm9vYmFyYmF6&x=1",
    )

    [line] = _logged(output)
    text = json.dumps(line)
    for leaked in ("ada@example.com", JWT, ARGON, "tok_mastercard", "Zm9vYmFyYmF6"):
        assert leaked not in text
    assert line["event"] == "sent to [email] with [jwt]"
    assert line["link"] == "https://shop.example/reset-password#token=[redacted]&x=1"


def test_tracebacks_and_stdlib_records_are_scrubbed(
    output: io.StringIO,
) -> None:
    try:
        raise ValueError(f"duplicate key (email)=(bob@example.com) hash {ARGON}")
    except ValueError:
        logging.getLogger("sqlalchemy.pool").exception("connection failed for bob@example.com")

    [line] = _logged(output)
    text = json.dumps(line)
    assert "bob@example.com" not in text
    assert ARGON not in text
    assert "duplicate key (email)=([email])" in str(line["exception"])
