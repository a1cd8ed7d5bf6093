"""A customer probing the API once a second during an outage, keeping every answer."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass, field

import httpx

from tests.faults.load import Checkout, Customer
from tests.support.polling import eventually

PROBLEM = "application/problem+json"


@dataclass(frozen=True)
class Answer:
    """What one request got, ``at`` seconds into the outage."""

    at: float
    request: str
    status: int | str  # an HTTP status, or the transport error's name
    content_type: str = ""
    retry_after: str | None = None

    def unavailable(self) -> bool:
        """A 503 problem document with Retry-After: what an outage must answer."""
        return (
            self.status == 503
            and self.content_type.startswith(PROBLEM)
            and self.retry_after is not None
        )

    def __str__(self) -> str:
        extra = f" ({self.content_type or 'no content type'}"
        extra += f", Retry-After {self.retry_after})" if self.retry_after else ", no Retry-After)"
        answer = str(self.status) + (extra if isinstance(self.status, int) else "")
        return f"+{self.at:.1f} s {self.request}: {answer}"


@dataclass
class Probe:
    """One customer with a product to buy and an order to look at."""

    api: str
    customer: Customer
    sku: str
    order_id: str = ""
    checkouts: list[Checkout] = field(default_factory=list)

    def client(self) -> httpx.AsyncClient:
        """A client authenticated as the customer."""
        headers = {"Authorization": f"Bearer {self.customer.token}"}
        return httpx.AsyncClient(base_url=self.api, headers=headers, timeout=10)

    async def checkout(self, checkout: Checkout | None = None, at: float = 0.0) -> Answer:
        """POST /v1/checkout (a new key, or ``checkout``'s again); the order is remembered."""
        if checkout is None:
            checkout = Checkout(
                self.customer.email, str(uuid.uuid4()), "tok_visa", time.monotonic()
            )
            self.checkouts.append(checkout)
        body = {
            "currency": "EUR",
            "items": [{"sku": self.sku, "quantity": 1}],
            "payment": {"card_token": checkout.card},
        }
        headers = {"Idempotency-Key": checkout.key}
        async with self.client() as client:
            asked = await _ask(
                at, "POST /v1/checkout", client.post("/v1/checkout", json=body, headers=headers)
            )
        status = asked.answer.status
        checkout.answers.append(str(status))
        if isinstance(status, int) and status in (201, 202, 402):
            checkout.status = status
            checkout.order_id = asked.order_id
            self.order_id = asked.order_id or self.order_id
        return asked.answer

    async def buy(self, within: float = 120.0) -> Answer:
        """A checkout with a new key, asked again with that key (as a careful client does)
        until the API gives a final answer or ``within`` seconds pass: a busy machine may
        answer the first request later than the client waits (a read timeout), or say the
        key is still in progress. Returns the last answer."""
        answer = await self.checkout()
        checkout = self.checkouts[-1]
        deadline = time.monotonic() + within
        while not checkout.answered and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            answer = await self.checkout(checkout)
        return answer

    async def read_order(self, at: float = 0.0) -> Answer:
        """GET /v1/orders/{the last order}."""
        async with self.client() as client:
            asked = await _ask(at, "GET /v1/orders/{id}", client.get(f"/v1/orders/{self.order_id}"))
        return asked.answer

    async def during(self, seconds: float, *, every: float = 1.0) -> list[Answer]:
        """A checkout and an order read every ``every`` seconds for ``seconds``."""
        answers: list[Answer] = []
        began = time.monotonic()
        while (now := time.monotonic() - began) < seconds:
            answers += [await self.checkout(at=now), await self.read_order(at=now)]
            await asyncio.sleep(max(0.0, every - (time.monotonic() - began - now)))
        return answers

    async def until_checkout_succeeds(self, within: float) -> tuple[float | None, Answer | None]:
        """Seconds until a checkout answers 201 again (None after ``within``), and the last
        answer seen."""
        began = time.monotonic()
        seen: list[Answer] = []

        async def succeeded() -> bool:
            seen.append(await self.checkout(at=time.monotonic() - began))
            return seen[-1].status == 201

        try:
            await eventually(succeeded, within, "a checkout answered 201", every=0.5)
        except TimeoutError:
            return None, seen[-1] if seen else None
        return seen[-1].at, seen[-1]

    async def retry_unanswered(self) -> list[Answer]:
        """Each checkout without a final answer once more, with its own key (a careful client)."""
        return [await self.checkout(c) for c in self.checkouts if not c.answered]


@dataclass(frozen=True)
class _Asked:
    answer: Answer
    order_id: str | None


async def _ask(at: float, request: str, call: Awaitable[httpx.Response]) -> _Asked:
    try:
        response = await call
    except httpx.TransportError as error:
        return _Asked(Answer(at, request, type(error).__name__), None)
    answer = Answer(
        at,
        request,
        response.status_code,
        response.headers.get("content-type", ""),
        response.headers.get("retry-after"),
    )
    order_id = None
    if response.status_code in (201, 202):
        order_id = str(response.json()["order_id"])
    return _Asked(answer, order_id)
