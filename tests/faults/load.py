"""Customers checking out over HTTP while faults happen, as a careful client would.

Each checkout has its own Idempotency-Key and is retried with that key until the API gives a
final answer (201, 202, 402 or a 4xx other than ``request_in_progress``), or until the client
gives up. Every answer seen on the way is kept: the report shows what clients went through.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import httpx

from domains.identity.api import (
    ADMIN,
    IdentityUnitOfWork,
    Passwords,
    RegisterUser,
    register_user,
)
from foundation.database import create_engine, create_sessions
from foundation.namespace import DEFAULT_NAMESPACE

FINAL = frozenset({201, 202, 402})
PASSWORD = "faults-password-123"
DECLINE_EVERY = 10  # every 10th checkout of a customer uses a card the provider declines


@dataclass
class Checkout:
    """One checkout as the client saw it."""

    customer: str
    key: str
    card: str
    started: float
    answers: list[str] = field(default_factory=list)
    status: int | None = None
    order_id: str | None = None

    @property
    def answered(self) -> bool:
        """Whether the API gave a final answer."""
        return self.status is not None


@dataclass(frozen=True)
class Customer:
    """A registered customer and their bearer token."""

    email: str
    token: str


async def admin_token(api: str, database_url: str) -> str:
    """The access token of a new admin (created as ``orderflow users create-admin`` does),
    logged in through the API: a token is only as good as its session."""
    email = f"admin-{uuid.uuid4().hex[:10]}@example.com"
    engine = create_engine(database_url)
    try:
        command = RegisterUser(email, PASSWORD, frozenset({ADMIN}))
        await register_user(
            command, IdentityUnitOfWork(create_sessions(engine, DEFAULT_NAMESPACE)), Passwords()
        )
    finally:
        await engine.dispose()
    async with httpx.AsyncClient(base_url=api, timeout=30) as client:
        login = await client.post("/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return str(login.json()["access_token"])


async def stock_products(api: str, database_url: str, count: int, stock: int) -> list[str]:
    """``count`` products with ``stock`` units each; returns their SKUs."""
    headers = {"Authorization": f"Bearer {await admin_token(api, database_url)}"}
    skus = [f"FAULT-{uuid.uuid4().hex[:8].upper()}" for _ in range(count)]
    async with httpx.AsyncClient(base_url=api, headers=headers, timeout=30) as client:
        for sku in skus:
            product = {
                "sku": sku,
                "name": f"Fault mug {sku}",
                "price_minor": 1450,
                "currency": "EUR",
                "initial_stock": stock,
            }
            created = await client.post("/v1/products", json=product)
            assert created.status_code == 201, created.text
    return skus


async def register_customers(api: str, count: int) -> list[Customer]:
    """``count`` customers registered and logged in through the API."""
    customers = []
    async with httpx.AsyncClient(base_url=api, timeout=30) as client:
        for _ in range(count):
            body = {"email": f"shopper-{uuid.uuid4().hex[:10]}@example.com", "password": PASSWORD}
            registered = await client.post("/v1/auth/register", json=body)
            assert registered.status_code == 202, registered.text
            login = await client.post("/v1/auth/login", json=body)
            assert login.status_code == 200, login.text
            customers.append(Customer(body["email"], login.json()["access_token"]))
    return customers


class Load:
    """Customers checking out at ``rate`` checkouts per second in total, until stopped."""

    def __init__(
        self,
        api: str,
        customers: list[Customer],
        skus: list[str],
        *,
        rate: float,
        # A careful client retries while the API is down or unavailable (a restart after kill
        # -9 took 79 s on a busy machine) and gives up on a key the API keeps answering "in
        # progress" for 90 s: a checkout goes unanswered only when the API holds its key.
        in_progress_for: float = 90.0,
        give_up_after: float = 300.0,
    ) -> None:
        self._api = api
        self._customers = customers
        self._skus = skus
        self._interval = len(customers) / rate
        self._in_progress_for = in_progress_for
        self._give_up_after = give_up_after
        self.checkouts: list[Checkout] = []

    async def run(self, stop: asyncio.Event) -> None:
        """Every customer shops until ``stop`` is set; their last checkout is finished."""
        await asyncio.gather(*(self._shop(c, n, stop) for n, c in enumerate(self._customers)))

    def answers(self) -> Counter[str]:
        """How often each answer was seen (status codes and transport errors)."""
        return Counter(a for c in self.checkouts for a in c.answers)

    async def _shop(self, customer: Customer, n: int, stop: asyncio.Event) -> None:
        headers = {"Authorization": f"Bearer {customer.token}"}
        async with httpx.AsyncClient(base_url=self._api, headers=headers, timeout=10) as client:
            turn = 0
            while not stop.is_set():
                started = time.monotonic()
                turn += 1
                card = "tok_decline" if turn % DECLINE_EVERY == 0 else "tok_visa"
                checkout = Checkout(customer.email, str(uuid.uuid4()), card, started)
                self.checkouts.append(checkout)
                sku = self._skus[(n + turn) % len(self._skus)]
                await self._until_answered(client, checkout, sku)
                pause = self._interval - (time.monotonic() - started)
                if pause > 0:
                    await asyncio.sleep(pause)

    async def _until_answered(
        self, client: httpx.AsyncClient, checkout: Checkout, sku: str
    ) -> None:
        body = {
            "currency": "EUR",
            "items": [{"sku": sku, "quantity": 1}],
            "payment": {"card_token": checkout.card},
        }
        headers = {"Idempotency-Key": checkout.key}
        deadline = checkout.started + self._give_up_after
        held = 0.0  # seconds the API answered that it holds the key in progress
        while time.monotonic() < deadline and held < self._in_progress_for:
            asked = time.monotonic()
            try:
                response = await client.post("/v1/checkout", json=body, headers=headers)
            except httpx.TransportError as error:
                checkout.answers.append(type(error).__name__)
                await asyncio.sleep(0.5)
                continue
            checkout.answers.append(str(response.status_code))
            if _final(response):
                checkout.status = response.status_code
                checkout.order_id = _order_id(response)
                return
            await asyncio.sleep(_retry_after(response))
            if _in_progress(response):
                held += time.monotonic() - asked


def _final(response: httpx.Response) -> bool:
    if response.status_code in FINAL:
        return True
    if response.status_code >= 500:
        return False
    return not _in_progress(response)


def _in_progress(response: httpx.Response) -> bool:
    return response.status_code == 409 and _code(response) == "request_in_progress"


def _code(response: httpx.Response) -> str | None:
    try:
        return str(response.json().get("code"))
    except ValueError:
        return None


def _order_id(response: httpx.Response) -> str | None:
    try:
        value = response.json().get("order_id")
    except ValueError:
        return None
    return str(value) if value else None


def _retry_after(response: httpx.Response) -> float:
    """Honour Retry-After (capped: the test has a budget), else half a second."""
    try:
        return min(float(response.headers.get("Retry-After", "0.5")), 2.0)
    except ValueError:
        return 0.5
