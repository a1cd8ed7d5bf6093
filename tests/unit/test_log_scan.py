"""The log scan of the e2e and fault suites finds every kind of secret, and only those."""

from __future__ import annotations

import pytest

from tests.support.log_scan import findings

LEAKS = {
    "e-mail address": '{"event": "sent", "to": "ada@example.com"}',
    "argon2 hash": "stored $argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
    "JWT": "Authorization eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl",
    "card token": '{"card": "tok_mastercard"}',
    "token in a URL": "GET /reset-password?token=Zm9vYmFyYmF6cXV4cXV1eA",
    "secret field": '{"refresh_token": "c2VjcmV0LXJlZnJlc2g"}',
    "password": "login with correct horse battery staple failed",
}


@pytest.mark.parametrize("kind", LEAKS)
def test_each_kind_of_leak_is_found(kind: str) -> None:
    found = findings([LEAKS[kind]], "a.log")

    assert kind in {f.kind for f in found}
    assert all(f.where == "a.log:1" for f in found)


def test_redacted_lines_and_ids_pass() -> None:
    clean = [
        '{"event": "login_succeeded", "user_id": "5d1c5e0a-6b1a-4c1e-9d11-0f2b8e3c7a10"}',
        '{"password": "[redacted]", "refresh_token": "[redacted]", "to": "[email]"}',
        "link https://shop.example/reset-password#token=[redacted]",
        '{"token_type": "bearer"}',
    ]

    assert findings(clean, "a.log") == []
