"""Identity from the settings: signing keys and token rules, password hashing, the session check
and the rate limits of the routes that take a password or an address."""

from __future__ import annotations

import secrets
from functools import cache

import structlog
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domains.identity import api as identity
from domains.shared.rate_limits import Limit, RateLimiter
from orderflow.settings import Rate, Settings

log = structlog.get_logger("orderflow.wiring")

MIN_SECRET = 32


def signing_secret(settings: Settings) -> str:
    """``ORDERFLOW_JWT_SECRET``, or a random per-process secret (tokens die with the process)."""
    if settings.identity.jwt_secret is None:
        return _ephemeral_secret()
    return _long_enough("ORDERFLOW_JWT_SECRET", settings.identity.jwt_secret.get_secret_value())


def key_ring(settings: Settings) -> identity.KeyRing:
    """The current signing key and the rotated-out ones still in their grace period."""
    current = identity.SigningKey(settings.identity.jwt_key_id, signing_secret(settings))
    previous = tuple(
        identity.SigningKey(
            key.kid,
            _long_enough(
                f"key {key.kid} of ORDERFLOW_JWT_PREVIOUS_KEYS", key.secret.get_secret_value()
            ),
            key.accept_until,
        )
        for key in settings.identity.jwt_previous_keys
    )
    return identity.KeyRing(current, previous)


def passwords(settings: Settings) -> identity.Passwords:
    """argon2id with the configured parameters (logins upgrade older hashes)."""
    config = settings.identity
    return identity.Passwords(
        time_cost=config.password_hash_time_cost,
        memory_kib=config.password_hash_memory_kib,
        parallelism=config.password_hash_parallelism,
    )


def identity_settings(settings: Settings) -> identity.IdentitySettings:
    """What the identity domain needs from the process settings."""
    config = settings.identity
    keys = key_ring(settings)
    return identity.IdentitySettings(
        keys=keys,
        access_rules=identity.user_token_rules(
            config.jwt_issuer, config.jwt_audience, config.access_token_ttl_seconds
        ),
        reset_secret=keys.current.secret,
        refresh_token_ttl_seconds=config.refresh_token_ttl_seconds,
        session_max_lifetime_seconds=config.session_max_lifetime_seconds,
        password_reset_ttl_seconds=config.password_reset_ttl_seconds,
        passwords=passwords(settings),
    )


def client_rules(settings: Settings) -> identity.TokenRules:
    """The rules of service client tokens: same issuer and audience, their own type."""
    config = settings.identity
    return identity.client_token_rules(
        config.jwt_issuer, config.jwt_audience, config.client_token_ttl_seconds
    )


def client_tokens(
    settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> identity.ClientTokens:
    """Client token checks: signature and rules, then the client still active (a revocation
    reaches every process within ``ORDERFLOW_SESSION_CHECK_TTL_SECONDS``)."""
    active = identity.ActiveClients(sessions, settings.identity.session_check_ttl_seconds)
    return identity.ClientTokens(key_ring(settings), client_rules(settings), active)


def open_sessions(
    settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> identity.OpenSessions:
    """The per-request session check, cached for ``ORDERFLOW_SESSION_CHECK_TTL_SECONDS``."""
    return identity.OpenSessions(sessions, settings.identity.session_check_ttl_seconds)


def bearer_tokens(
    config: identity.IdentitySettings, session_check: identity.SessionCheck
) -> identity.BearerTokens:
    """The bearer tokens the API accepts: users' access tokens (the place to add another kind,
    e.g. service clients' tokens with their own audience)."""
    return identity.BearerTokens(
        identity.UserAccessTokens(config.keys, config.access_rules, session_check)
    )


def rate_limiter(settings: Settings, engine: AsyncEngine) -> RateLimiter:
    """The PostgreSQL rate limiter (admits everything when ``ORDERFLOW_RATE_LIMIT_ENABLED`` is
    false)."""
    return RateLimiter(engine, enabled=settings.rate_limits.enabled)


def identity_limits(settings: Settings) -> identity.IdentityLimits:
    """The limits of identity's routes."""
    config = settings.rate_limits

    def limit(route: str, scope: str, rate: Rate) -> Limit:
        return Limit(route, scope, rate.count, rate.period_seconds)

    return identity.IdentityLimits(
        login_per_account=limit("login", "account", config.login_per_account),
        login_per_address=limit("login", "address", config.login_per_address),
        register_per_account=limit("register", "account", config.register_per_account),
        register_per_address=limit("register", "address", config.register_per_address),
        reset_per_account=limit("password_reset", "account", config.reset_per_account),
        reset_per_address=limit("password_reset", "address", config.reset_per_address),
        reset_confirm_per_address=limit(
            "password_reset_confirm", "address", config.reset_confirm_per_address
        ),
        refresh_per_address=limit("refresh", "address", config.refresh_per_address),
        token_per_address=limit("oauth_token", "address", config.token_per_address),
        token_per_client=limit("oauth_token", "client", config.token_per_client),
    )


def _long_enough(name: str, secret: str) -> str:
    if len(secret) < MIN_SECRET:
        raise ValueError(
            f"{name} has {len(secret)} characters; use at least {MIN_SECRET}, "
            "e.g. from `python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
        )
    return secret


@cache
def _ephemeral_secret() -> str:
    log.warning(
        "jwt_secret_not_set",
        detail="ORDERFLOW_JWT_SECRET is unset: using a random secret for this process; "
        "tokens and reset links stop working when it exits. Set it in production.",
    )
    return secrets.token_urlsafe(48)
