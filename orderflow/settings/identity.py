"""Accounts: signing keys, token and session lifetimes, password hashing, the reset link and the
rate limits of the routes that take a password or an e-mail address."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, BeforeValidator, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")


class Rate(BaseModel):
    """At most ``count`` requests per ``period_seconds``, written ``"10/15m"`` (s, m, h, d)."""

    model_config = {"frozen": True}

    count: int = Field(ge=1)
    period_seconds: float = Field(gt=0)

    def __str__(self) -> str:
        return f"{self.count}/{self.period_seconds:g}s"


def _rate(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    match = _RATE.fullmatch(value)
    if match is None:
        raise ValueError(f"{value!r} is not a rate; write COUNT/PERIOD, e.g. 10/15m or 3/1h")
    count, amount, unit = match.groups()
    return {"count": int(count), "period_seconds": int(amount or 1) * _UNITS[unit]}


RateSetting = Annotated[Rate, NoDecode, BeforeValidator(_rate)]


class PreviousKey(BaseModel):
    """A signing key that was rotated out: tokens it signed are accepted until ``accept_until``."""

    kid: str = Field(min_length=1, max_length=64)
    secret: SecretStr
    accept_until: AwareDatetime


class IdentitySettings(BaseSettings):
    """``ORDERFLOW_JWT_*``, token and session lifetimes, password hashing, the reset link."""

    model_config = SettingsConfigDict(env_prefix="ORDERFLOW_", extra="ignore")

    jwt_secret: SecretStr | None = Field(
        default=None,
        description="HS256 key that signs access tokens and reset links (32+ characters). Unset: "
        "a random per-process key, so tokens die with the process. Never commit one.",
    )
    jwt_key_id: str = Field(
        default="k1",
        min_length=1,
        max_length=64,
        description="The `kid` of ORDERFLOW_JWT_SECRET; give each new key a new id.",
    )
    jwt_previous_keys: list[PreviousKey] = Field(
        default=[],
        description='Rotated-out keys still accepted for a grace period (JSON: [{"kid": "k1", '
        '"secret": "...", "accept_until": "2026-12-01T12:00:00Z"}]).',
    )
    jwt_issuer: str = Field(default="orderflow", min_length=1)
    jwt_audience: str = Field(default="orderflow-api", min_length=1)
    access_token_ttl_seconds: int = Field(
        default=900, ge=60, le=86_400, description="Also the longest lifetime a token may claim."
    )
    client_token_ttl_seconds: int = Field(
        default=900, ge=60, le=3600, description="Lifetime of a service client's access token."
    )
    refresh_token_ttl_seconds: int = Field(default=14 * 86_400, ge=300, le=90 * 86_400)
    session_max_lifetime_seconds: int = Field(
        default=30 * 86_400, ge=300, le=365 * 86_400, description="Refreshing stops after this."
    )
    session_check_ttl_seconds: float = Field(
        default=2.0,
        ge=0,
        le=30,
        description="How long an API process trusts that a session is still open before asking "
        "PostgreSQL again: the bound on how late a revocation reaches every process.",
    )
    password_reset_ttl_seconds: int = Field(default=3600, ge=300, le=86_400)
    password_reset_url: str = Field(
        default="http://127.0.0.1:8000/reset-password#token={token}",
        description="Link in password-reset emails; {token} is replaced at send time. Keep it in "
        "the fragment (#token=…): browsers do not send fragments, so no proxy or access log "
        "sees the token.",
    )
    password_hash_time_cost: int = Field(default=3, ge=1, le=20)
    password_hash_memory_kib: int = Field(default=65_536, ge=64, le=4 * 1024 * 1024)
    password_hash_parallelism: int = Field(default=4, ge=1, le=64)

    @field_validator("password_reset_url")
    @classmethod
    def _has_token(cls, url: str) -> str:
        if "{token}" not in url:
            raise ValueError("ORDERFLOW_PASSWORD_RESET_URL must contain {token}")
        if "#" not in url.partition("{token}")[0]:
            # A token in the path or query reaches every proxy and access log on the way.
            raise ValueError(
                "ORDERFLOW_PASSWORD_RESET_URL must carry {token} in the fragment, after '#', "
                "e.g. https://shop.example/reset-password#token={token}"
            )
        return url


class RateLimitSettings(BaseSettings):
    """``ORDERFLOW_RATE_LIMIT_*``: requests per client address and per account, shared by every
    API process through PostgreSQL."""

    model_config = SettingsConfigDict(env_prefix="ORDERFLOW_RATE_LIMIT_", extra="ignore")

    enabled: bool = True
    login_per_account: RateSetting = Field(default=Rate(count=10, period_seconds=900))
    login_per_address: RateSetting = Field(default=Rate(count=30, period_seconds=60))
    register_per_account: RateSetting = Field(default=Rate(count=3, period_seconds=3600))
    register_per_address: RateSetting = Field(default=Rate(count=20, period_seconds=3600))
    reset_per_account: RateSetting = Field(
        default=Rate(count=3, period_seconds=3600),
        description="Reset requests (so reset e-mails) per e-mail address.",
    )
    reset_per_address: RateSetting = Field(default=Rate(count=10, period_seconds=3600))
    reset_confirm_per_address: RateSetting = Field(default=Rate(count=10, period_seconds=900))
    refresh_per_address: RateSetting = Field(
        default=Rate(count=60, period_seconds=60),
        description="Refresh-token trades per client address.",
    )
    token_per_address: RateSetting = Field(
        default=Rate(count=30, period_seconds=60),
        description="POST /v1/oauth/token requests per client address.",
    )
    token_per_client: RateSetting = Field(
        default=Rate(count=20, period_seconds=60),
        description="POST /v1/oauth/token requests per service client id.",
    )
