"""Quick in-process attempts: a few tries with a short backoff for transient failures."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from consumers.runtime.errors import worth_a_quick_retry
from consumers.runtime.policy import RetryPolicy

T = TypeVar("T")


class AttemptsFailed(Exception):
    """Every quick attempt failed; ``__cause__`` is the last error."""

    def __init__(self, error: BaseException, attempts: int) -> None:
        super().__init__(str(error))
        self.error = error
        self.attempts = attempts


async def attempt(policy: RetryPolicy, call: Callable[[], Awaitable[T]]) -> T:
    """Run ``call``, retrying transient failures quickly; raise :class:`AttemptsFailed`.

    Permanent and poison failures are not retried (the same input fails the same way), nor
    are database and broker failures: the whole batch waits for those.
    """
    tries = 0
    retrying = AsyncRetrying(
        stop=stop_after_attempt(policy.quick_attempts),
        wait=wait_exponential(
            multiplier=policy.quick_backoff_seconds, max=policy.quick_backoff_max_seconds
        ),
        retry=retry_if_exception(worth_a_quick_retry),
        reraise=True,
    )
    try:
        async for trial in retrying:
            with trial:
                tries += 1
                return await call()
    except Exception as error:
        raise AttemptsFailed(error, tries) from error
    raise AssertionError("unreachable: tenacity either returns or re-raises")
