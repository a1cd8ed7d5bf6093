"""Passwords are stored as argon2id hashes and checked against them."""

from __future__ import annotations

import pytest

from domains.identity.passwords import Passwords, check_password_policy
from domains.shared import InvalidInput

PASSWORD = "correct horse battery staple"
CHEAP = Passwords(time_cost=1, memory_kib=1024, parallelism=1)
hash_password, verify_password = CHEAP.hash, CHEAP.verify


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


def test_a_hash_made_with_other_parameters_needs_a_rehash() -> None:
    stronger = Passwords(time_cost=2, memory_kib=2048, parallelism=1)
    old = CHEAP.hash(PASSWORD)

    assert stronger.needs_rehash(old)
    assert not CHEAP.needs_rehash(old)
    assert stronger.verify(old, PASSWORD)  # an old hash still verifies
    assert not stronger.needs_rehash(stronger.hash(PASSWORD))
