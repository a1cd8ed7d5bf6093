"""HTTP routes of identity: accounts, sessions, password reset, ``/v1/me`` and user admin.

The composition root passes in how to authenticate (``principal``, ``admin``), the rate limiter
and its limits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter

from domains.identity.http.accounts import account_routes
from domains.identity.http.admin import admin_routes
from domains.identity.http.context import Routes
from domains.identity.http.limits import IdentityLimits, client_address
from domains.identity.http.resets import reset_routes
from domains.identity.http.sessions import session_routes
from domains.identity.settings import IdentitySettings
from domains.identity.unit_of_work import IdentityUnitOfWork
from domains.shared.rate_limits import RateLimiter


def build_router(
    uow: Callable[[], IdentityUnitOfWork],
    *,
    settings: IdentitySettings,
    principal: Callable[..., Any],
    admin: Callable[..., Any],
    limiter: RateLimiter,
    limits: IdentityLimits,
) -> APIRouter:
    """The ``/v1/auth`` routes, ``/v1/me`` and ``/v1/admin/users``."""
    router = APIRouter(tags=["identity"])
    routes = Routes(uow, settings, principal, admin, limiter, limits)
    for add in (account_routes, session_routes, reset_routes, admin_routes):
        add(router, routes)
    return router


__all__ = ["IdentityLimits", "build_router", "client_address"]
