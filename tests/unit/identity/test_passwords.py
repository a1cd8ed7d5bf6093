"""Passwords are stored as argon2id hashes and checked against them."""

from __future__ import annotations

import pytest

from domains.identity.passwords import check_password_policy, hash_password, verify_password
from domains.shared import InvalidInput

PASSWORD = "correct horse battery staple"


def test_a_hash_is_argon2id_salted_and_verifies_only_the_right_password() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)

    assert first.startswith("$argon2id$")
    assert PASSWORD not in first
    assert first != second  # a fresh salt each time
    assert verify_password(first, PASSWORD)
    assert not verify_password(first, PASSWORD + "!")


def test_a_malformed_hash_never_matches() -> None:
    assert not verify_password("not-a-hash", PASSWORD)
    assert not verify_password("", "")


@pytest.mark.parametrize("password", ["short", " " * 12, "x" * 257])
def test_weak_or_absurd_passwords_are_refused(password: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_password_policy(password)

    assert refused.value.code == "weak_password"
