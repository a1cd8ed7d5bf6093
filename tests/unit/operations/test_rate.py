"""``--rate`` parses operator input and the token bucket paces replays."""

from __future__ import annotations

import pytest

from consumers.operations import InvalidSelection, TokenBucket, parse_rate


@pytest.mark.parametrize(
    ("text", "per_second"), [("20", 20.0), ("20/s", 20.0), ("600/m", 10.0), ("0.5/s", 0.5)]
)
def test_rates_parse(text: str, per_second: float) -> None:
    assert parse_rate(text) == pytest.approx(per_second)


@pytest.mark.parametrize("text", ["0", "0/s", "-5/s", "fast", "10/h", ""])
def test_bad_rates_say_how_to_write_them(text: str) -> None:
    with pytest.raises(InvalidSelection, match=r"--rate.*20/s"):
        parse_rate(text)


class FakeClock:
    """Time that moves only when the bucket sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def test_the_bucket_holds_the_average_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(10, clock=clock, sleep=clock.sleep)
    for _ in range(101):
        await bucket.acquire()
    assert clock.now == pytest.approx(10.0, abs=0.01)


async def test_an_idle_bucket_allows_a_burst_no_larger_than_its_capacity() -> None:
    clock = FakeClock()
    bucket = TokenBucket(5, burst=5, clock=clock, sleep=clock.sleep)
    clock.now = 100.0  # idle for a long time
    for _ in range(5):
        await bucket.acquire()
    assert clock.now == 100.0
    await bucket.acquire()
    assert clock.now == pytest.approx(100.2)


def test_a_non_positive_rate_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="positive"):
        TokenBucket(0)
