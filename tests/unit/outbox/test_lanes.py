"""Fair lane shares."""

from __future__ import annotations

import pytest

from outbox.lanes import fair_share


@pytest.mark.parametrize(("relays", "share"), [(0, 32), (1, 32), (2, 16), (3, 11), (4, 8), (5, 7)])
def test_every_lane_is_covered_and_no_relay_holds_more_than_its_share(
    relays: int, share: int
) -> None:
    assert fair_share(32, relays) == share
    assert share * max(1, relays) >= 32
