"""Waiting for rest tells a deployment catching up from one that is stuck."""

from __future__ import annotations

from tests.faults.quiescence import Progress


def test_the_first_reading_is_progress() -> None:
    assert Progress().advanced(committed=0, waiting=5)


def test_a_group_committing_further_is_progress_even_while_more_arrives() -> None:
    progress = Progress()
    progress.advanced(committed=100, waiting=0)
    assert progress.advanced(committed=101, waiting=40)


def test_fewer_rows_or_emails_waiting_is_progress() -> None:
    progress = Progress()
    progress.advanced(committed=100, waiting=10)
    assert progress.advanced(committed=100, waiting=9)


def test_standing_still_or_going_back_is_not() -> None:
    progress = Progress()
    progress.advanced(committed=100, waiting=3)
    assert not progress.advanced(committed=100, waiting=3)
    assert not progress.advanced(committed=100, waiting=7)
    # Back to 4 waiting is still more than the fewest seen: no step forward.
    assert not progress.advanced(committed=100, waiting=4)


def test_a_failed_reading_is_not_progress() -> None:
    progress = Progress()
    progress.advanced(committed=100, waiting=3)
    # The infrastructure did not answer: nothing was read.
    assert not progress.advanced(committed=-1, waiting=-1)
    assert not progress.advanced(committed=100, waiting=3)
