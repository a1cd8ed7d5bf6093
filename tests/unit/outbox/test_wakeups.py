"""Which lanes the relay claims after a wake-up."""

from __future__ import annotations

from outbox.wakeups import DirtyLanes

HELD = [1, 2, 3, 7]


async def test_the_first_claim_covers_every_held_lane() -> None:
    assert DirtyLanes().take(HELD) == HELD


async def test_a_notification_names_the_lanes_to_claim_and_wakes_the_relay() -> None:
    dirty = DirtyLanes()
    dirty.take(HELD)

    dirty.on_notify("7,3,30")

    assert dirty.notified.is_set()
    assert dirty.take(HELD) == [3, 7]  # lane 30 belongs to another relay
    assert not dirty.notified.is_set()
    assert dirty.take(HELD) == []  # clean until notified again


async def test_a_notification_without_lanes_and_the_poll_cover_everything() -> None:
    dirty = DirtyLanes()
    dirty.take(HELD)

    dirty.on_notify("")
    assert dirty.take(HELD) == HELD

    dirty.mark_all()
    assert dirty.take(HELD) == HELD


async def test_lanes_left_behind_are_claimed_next_time_without_a_wake_up() -> None:
    dirty = DirtyLanes()
    dirty.take(HELD)

    dirty.add({2})

    assert not dirty.notified.is_set()
    assert dirty.take(HELD) == [2]
