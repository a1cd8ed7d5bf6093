"""The read models' settings: how recommendations are read and when they count as stale."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class RecommendationSettings(BaseSettings):
    """``ORDERFLOW_RECOMMENDATIONS_*``: the route's time limits and the staleness it allows."""

    model_config = SettingsConfigDict(env_prefix="ORDERFLOW_RECOMMENDATIONS_", extra="ignore")

    statement_timeout_ms: int = Field(
        default=250,
        ge=10,
        le=10_000,
        description="statement_timeout and lock_timeout of the model's read: a locked or slow "
        "table fails this fast and the route falls back.",
    )
    budget_seconds: float = Field(
        default=1.0,
        gt=0,
        description="The most one read (model or fallback) may take, waiting for a pooled "
        "connection included.",
    )
    max_staleness_seconds: float = Field(
        default=300.0,
        gt=0,
        description="The model is stale (the route falls back) when an order event has waited "
        "for the recommendations group longer than this.",
    )
    freshness_interval_seconds: float = Field(
        default=15.0, gt=0, description="How often recommendations:freshness measures it."
    )
