"""What every identity route needs, handed over once by ``build_router``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from domains.identity.http.limits import IdentityLimits
from domains.identity.settings import IdentitySettings
from domains.identity.unit_of_work import IdentityUnitOfWork
from domains.shared.rate_limits import RateLimiter


@dataclass(frozen=True)
class Routes:
    """Unit of work factory, settings, authentication dependencies and rate limits."""

    uow: Callable[[], IdentityUnitOfWork]
    settings: IdentitySettings
    principal: Callable[..., Any]
    admin: Callable[..., Any]
    limiter: RateLimiter
    limits: IdentityLimits


# The problem codes each route can answer with, for the OpenAPI document (the 401s of a bad
# bearer token are added to every authenticated operation by the composition root).
LIMITED = {429: ["rate_limited"]}  # with Retry-After
