"""The carrier adapter: book, track and void parcels over HTTP (httpx, with timeouts).

Bookings are keyed by our shipment id (the carrier dedupes on it), so booking again after a
rollback or a retry returns the same parcel. Unreachable, slow or 5xx answers are transient
(the runtime retries them through its tiers); any other 4xx is permanent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from consumers.runtime import PermanentError, TransientError


class CarrierUnavailable(TransientError):
    """The carrier could not be reached, timed out or answered 5xx: try again later."""


class CarrierRejected(PermanentError):
    """The carrier refused the request for good (a 4xx other than 404)."""


@dataclass(frozen=True)
class Parcel:
    """What the carrier knows about one of our shipments."""

    reference: uuid.UUID
    carrier: str
    tracking_number: str
    status: str  # in_transit, delivered, voided


class Carrier(Protocol):
    """A parcel carrier."""

    async def book(self, shipment_id: uuid.UUID, order_id: uuid.UUID) -> Parcel:
        """Book (or find the earlier booking of) the parcel of ``shipment_id``."""
        ...

    async def track(self, shipment_id: uuid.UUID) -> Parcel | None:
        """The parcel of ``shipment_id``; None when it was never booked."""
        ...

    async def void(self, shipment_id: uuid.UUID) -> None:
        """Cancel the booking of ``shipment_id`` (nothing happens when there is none)."""
        ...


@dataclass(frozen=True)
class CarrierConfig:
    """Where the carrier is and how long one call may take."""

    base_url: str = "http://127.0.0.1:8097"
    timeout_seconds: float = 5.0


class HttpCarrier:
    """A :class:`Carrier` over HTTP; one short-lived client per call (a few calls a parcel)."""

    def __init__(self, config: CarrierConfig) -> None:
        self.config = config

    async def book(self, shipment_id: uuid.UUID, order_id: uuid.UUID) -> Parcel:
        """``POST /v1/parcels``, deduped by the carrier on ``reference``."""
        body = {"reference": str(shipment_id), "order_id": str(order_id)}
        answer = await self._call("POST", "/v1/parcels", json=body)
        assert answer is not None
        return _parcel(answer)

    async def track(self, shipment_id: uuid.UUID) -> Parcel | None:
        """``GET /v1/parcels/{reference}``."""
        answer = await self._call("GET", f"/v1/parcels/{shipment_id}")
        return None if answer is None else _parcel(answer)

    async def void(self, shipment_id: uuid.UUID) -> None:
        """``DELETE /v1/parcels/{reference}``; an unknown parcel is already void."""
        await self._call("DELETE", f"/v1/parcels/{shipment_id}")

    async def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any] | None:
        """The JSON answer; None for 404; failures mapped to the runtime's error classes."""
        timeout = httpx.Timeout(self.config.timeout_seconds)
        try:
            async with httpx.AsyncClient(base_url=self.config.base_url, timeout=timeout) as client:
                response = await client.request(method, path, **kwargs)
        except httpx.HTTPError as error:  # connect errors, timeouts, dropped connections
            raise CarrierUnavailable(f"carrier unreachable: {type(error).__name__}") from error
        if response.status_code == 404:
            return None
        if response.status_code >= 500:
            raise CarrierUnavailable(f"carrier answered {response.status_code}")
        if response.status_code >= 400:
            raise CarrierRejected(f"carrier refused {method} {path}: {response.status_code}")
        answer: dict[str, Any] = response.json()
        return answer


def _parcel(answer: dict[str, Any]) -> Parcel:
    return Parcel(
        reference=uuid.UUID(answer["reference"]),
        carrier=str(answer["carrier"]),
        tracking_number=str(answer["tracking_number"]),
        status=str(answer["status"]),
    )
