"""The carrier adapter: book, hand over, void and track parcels over HTTP (httpx, timeouts).

Every call that changes something carries an ``Idempotency-Key`` (derived from our shipment id
and the operation), so the carrier answers a repeated call as it answered the first: booking
again after a lost answer is the same parcel, handing over twice is one hand-over. Bookings are
also keyed by our shipment id (``reference``). Unreachable, slow or 5xx answers are transient
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
    """The carrier refused the request for good (a 4xx it does not explain otherwise)."""


@dataclass(frozen=True)
class Parcel:
    """What the carrier knows about one of our shipments."""

    reference: uuid.UUID
    carrier: str
    tracking_number: str
    status: str  # booked, in_transit, delivered, voided


class Carrier(Protocol):
    """A parcel carrier."""

    async def book(self, shipment_id: uuid.UUID, order_id: uuid.UUID, *, key: str) -> Parcel:
        """Book (or find the earlier booking of) the label of ``shipment_id``."""
        ...

    async def hand_over(self, shipment_id: uuid.UUID, *, key: str) -> Parcel:
        """Give the parcel of ``shipment_id`` to the carrier (it cannot be voided after)."""
        ...

    async def void(self, shipment_id: uuid.UUID, *, key: str) -> bool:
        """Void the label; True when voided (or never booked), False when the carrier has the
        parcel already (in transit or delivered)."""
        ...

    async def track(self, shipment_id: uuid.UUID) -> Parcel | None:
        """The parcel of ``shipment_id``; None when it was never booked."""
        ...


@dataclass(frozen=True)
class CarrierConfig:
    """Where the carrier is and how long one call may take."""

    base_url: str = "http://127.0.0.1:8097"
    timeout_seconds: float = 5.0


class HttpCarrier:
    """A :class:`Carrier` over HTTP; one short-lived client per call (a few calls a parcel).

    The clients share one TLS context: building one loads the CA bundle, about 60 ms of CPU
    that blocks the event loop — per call, that made a tracking pass of 100 parcels spend
    seconds on it.
    """

    def __init__(self, config: CarrierConfig) -> None:
        self.config = config
        self._tls = httpx.create_ssl_context()

    async def book(self, shipment_id: uuid.UUID, order_id: uuid.UUID, *, key: str) -> Parcel:
        """``POST /v1/parcels``."""
        body = {"reference": str(shipment_id), "order_id": str(order_id)}
        response = await self._call("POST", "/v1/parcels", key=key, json=body)
        return _parcel(_expect(response, "book", 200, 201))

    async def hand_over(self, shipment_id: uuid.UUID, *, key: str) -> Parcel:
        """``POST /v1/parcels/{reference}/handover``."""
        response = await self._call("POST", f"/v1/parcels/{shipment_id}/handover", key=key)
        return _parcel(_expect(response, "hand over", 200))

    async def void(self, shipment_id: uuid.UUID, *, key: str) -> bool:
        """``DELETE /v1/parcels/{reference}``: 404 was never booked, 409 the carrier has it."""
        response = await self._call("DELETE", f"/v1/parcels/{shipment_id}", key=key)
        if response.status_code == 404:
            return True
        if response.status_code == 409 and _error(response) in SHIPPED_ANSWERS:
            return False
        _expect(response, "void", 200)
        return True

    async def track(self, shipment_id: uuid.UUID) -> Parcel | None:
        """``GET /v1/parcels/{reference}``."""
        response = await self._call("GET", f"/v1/parcels/{shipment_id}")
        if response.status_code == 404:
            return None
        return _parcel(_expect(response, "track", 200))

    async def _call(
        self, method: str, path: str, *, key: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        """The answer; unreachable, timed out and 5xx raise :class:`CarrierUnavailable`."""
        timeout = httpx.Timeout(self.config.timeout_seconds)
        headers = {} if key is None else {"Idempotency-Key": key}
        try:
            async with httpx.AsyncClient(
                base_url=self.config.base_url, timeout=timeout, verify=self._tls
            ) as client:
                response = await client.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as error:  # connect errors, timeouts, dropped connections
            raise CarrierUnavailable(f"carrier unreachable: {type(error).__name__}") from error
        if response.status_code >= 500:
            raise CarrierUnavailable(f"carrier answered {response.status_code} to {method} {path}")
        return response


# What the carrier answers (409) to a void once the parcel is no longer in the warehouse.
SHIPPED_ANSWERS = frozenset({"already_shipped", "already_delivered"})


def _expect(response: httpx.Response, what: str, *statuses: int) -> dict[str, Any]:
    if response.status_code not in statuses:
        raise CarrierRejected(
            f"carrier refused to {what}: {response.status_code} {_error(response) or ''}".strip()
        )
    answer: dict[str, Any] = response.json()
    return answer


def _error(response: httpx.Response) -> str | None:
    try:
        return str(response.json().get("error"))
    except ValueError:  # not JSON
        return None


def _parcel(answer: dict[str, Any]) -> Parcel:
    return Parcel(
        reference=uuid.UUID(answer["reference"]),
        carrier=str(answer["carrier"]),
        tracking_number=str(answer["tracking_number"]),
        status=str(answer["status"]),
    )
