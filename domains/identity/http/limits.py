"""The rate limits of identity's routes: one per client address, one per account (e-mail)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from fastapi import Request

from domains.shared.rate_limits import Limit, RateLimiter


@dataclass(frozen=True)
class IdentityLimits:
    """Every limit identity's routes check, filled from the settings by the composition root."""

    login_per_account: Limit
    login_per_address: Limit
    register_per_account: Limit
    register_per_address: Limit
    reset_per_account: Limit
    reset_per_address: Limit
    reset_confirm_per_address: Limit
    refresh_per_address: Limit
    token_per_address: Limit
    token_per_client: Limit


def client_address(request: Request) -> str:
    """Who is asking: the client's IP (as uvicorn resolved it behind trusted proxies); an IPv6
    client by its /64, which one host can fill with addresses at will."""
    host = request.client.host if request.client else "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


async def check_address_then_account(
    limiter: RateLimiter, request: Request, per_address: Limit, per_account: Limit, email: str
) -> None:
    """The address first: a client over its budget does not spend an account's."""
    await limiter.check(per_address, client_address(request))
    await limiter.check(per_account, email.strip().lower())
