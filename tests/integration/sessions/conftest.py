"""Two ``orderflow api`` processes on one database: what one does, the other must honour."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from orderflow.settings import Settings
from tests.support.identity import CHEAP_HASHING
from tests.support.processes import RunningProcess, free_port, orderflow_process

SECRET = "two-apis-secret-two-apis-secret-two-apis-0123"
OLD_KID, OLD_SECRET = "k0", "an-older-key-an-older-key-an-older-key-0123"
CHECK_TTL_SECONDS = 1.0
# The login limits are tight so a test can reach them; each test uses its own client address
# (X-Forwarded-For, which uvicorn trusts from 127.0.0.1) so tests do not share a budget.
LIMITS = {
    "LOGIN_PER_ACCOUNT": "3/1m",
    "LOGIN_PER_ADDRESS": "6/1m",
    "RESET_PER_ACCOUNT": "2/1h",
    "RESET_PER_ADDRESS": "50/1h",
    "RESET_CONFIRM_PER_ADDRESS": "3/1m",
    "REGISTER_PER_ACCOUNT": "2/1h",
    "REGISTER_PER_ADDRESS": "50/1h",
    "REFRESH_PER_ADDRESS": "4/1m",
}


@dataclass(frozen=True)
class TwoApis:
    """Two API processes and the settings they were started with."""

    a: RunningProcess
    b: RunningProcess
    settings: Settings  # as the processes see it (for minting tokens in tests)


@pytest.fixture(scope="package")
def two_apis(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoApis]:
    """``orderflow api`` twice, sharing the signing keys, a 1 s session check and the limits."""
    grace = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    previous = [{"kid": OLD_KID, "secret": OLD_SECRET, "accept_until": grace}]
    env = {
        "ORDERFLOW_DATABASE_URL": settings.database.url,
        "ORDERFLOW_JWT_SECRET": SECRET,
        "ORDERFLOW_JWT_KEY_ID": "k1",
        "ORDERFLOW_JWT_PREVIOUS_KEYS": json.dumps(previous),
        "ORDERFLOW_SESSION_CHECK_TTL_SECONDS": str(CHECK_TTL_SECONDS),
        "ORDERFLOW_LOG_FORMAT": "json",
        **{f"ORDERFLOW_{name.upper()}": str(value) for name, value in CHEAP_HASHING.items()},
        **{f"ORDERFLOW_RATE_LIMIT_{name}": rate for name, rate in LIMITS.items()},
    }
    logs = tmp_path_factory.mktemp("two-apis")
    ports = free_port(), free_port()
    a_env, b_env = ({**env, "ORDERFLOW_HTTP_PORT": str(port)} for port in ports)
    with (
        orderflow_process(["api"], a_env, logs / "a.log", ports[0]) as a,
        orderflow_process(["api"], b_env, logs / "b.log", ports[1]) as b,
    ):
        seen = settings.updated(
            identity={"jwt_secret": SecretStr(SECRET), "jwt_key_id": "k1"},
        )
        yield TwoApis(a, b, seen)


def client_address() -> dict[str, str]:
    """A made-up client address of one test (its own rate-limit budget)."""
    return {"X-Forwarded-For": f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"}
