"""A refund reason is checked and trimmed before the provider is asked to refund."""

from __future__ import annotations

import pytest

from domains.orders.model import MAX_REFUND_REASON, refund_reason
from domains.shared import InvalidInput


def test_a_reason_is_stored_trimmed() -> None:
    assert refund_reason("  damaged in transit\n") == "damaged in transit"


@pytest.mark.parametrize("reason", ["", " \t\n ", "a\x00b", "x" * (MAX_REFUND_REASON + 1)])
def test_a_reason_that_cannot_be_stored_is_bad_reason(reason: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        refund_reason(reason)

    assert refused.value.code == "bad_reason"
