"""The async engine and session factory."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """One pooled engine per process (``url``: ``postgresql+asyncpg://…``)."""
    # hide_parameters: a failed statement's error text (logged, or in a traceback) names the
    # statement but not its values, which are e-mail addresses and password hashes.
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        hide_parameters=True,
    )


def create_sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded values after commit (handlers return what they wrote)."""
    return async_sessionmaker(engine, expire_on_commit=False)
