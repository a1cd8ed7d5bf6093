"""Settings by concern, read from exactly the variables the flat settings read.

Deployments set these names; renaming one would silently fall back to a default. Each old
variable is set to a value other than its default and must land in its new field.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel, SecretStr, ValidationError
from pydantic_settings import BaseSettings
from typer.testing import CliRunner

from orderflow.cli.main import app
from orderflow.settings import DatabaseSettings, PreviousKey, Rate, Settings, get_settings

pytestmark = pytest.mark.unit

# variable: (section, field, value in the environment, value read)
VARIABLES: dict[str, tuple[str, str, str, Any]] = {
    "ORDERFLOW_DATABASE_URL": ("database", "url", "postgresql+asyncpg://db/x", "postgresql+asyncpg://db/x"),
    "ORDERFLOW_DATABASE_POOL_SIZE": ("database", "pool_size", "4", 4),
    "ORDERFLOW_DATABASE_POOL_TIMEOUT_SECONDS": ("database", "pool_timeout_seconds", "2.5", 2.5),
    "ORDERFLOW_DATABASE_BACKGROUND_POOL_SIZE": ("database", "background_pool_size", "6", 6),
    "ORDERFLOW_DATABASE_BACKGROUND_POOL_TIMEOUT_SECONDS": ("database", "background_pool_timeout_seconds", "45", 45.0),  # noqa: E501
    "ORDERFLOW_KAFKA_BOOTSTRAP_SERVERS": ("kafka", "bootstrap_servers", "k1:9092,k2:9092", "k1:9092,k2:9092"),  # noqa: E501
    "ORDERFLOW_KAFKA_SECURITY_PROTOCOL": ("kafka", "security_protocol", "SASL_SSL", "SASL_SSL"),
    "ORDERFLOW_KAFKA_SASL_MECHANISM": ("kafka", "sasl_mechanism", "SCRAM-SHA-512", "SCRAM-SHA-512"),
    "ORDERFLOW_KAFKA_SASL_USERNAME": ("kafka", "sasl_username", "svc", "svc"),
    "ORDERFLOW_KAFKA_SASL_PASSWORD": ("kafka", "sasl_password", "pw", SecretStr("pw")),
    "ORDERFLOW_KAFKA_SSL_CAFILE": ("kafka", "ssl_cafile", "/etc/ca.pem", "/etc/ca.pem"),
    "ORDERFLOW_KAFKA_TOPIC_PARTITIONS": ("kafka", "topic_partitions", "12", 12),
    "ORDERFLOW_KAFKA_TOPIC_REPLICATION": ("kafka", "topic_replication", "3", 3),
    "ORDERFLOW_TOPIC_PREFIX": ("deployment", "topic_prefix", "blue.", "blue."),
    "ORDERFLOW_EVENT_SOURCE": ("deployment", "event_source", "/shop-eu/orderflow", "/shop-eu/orderflow"),  # noqa: E501
    "ORDERFLOW_HTTP_HOST": ("http", "host", "0.0.0.0", "0.0.0.0"),  # noqa: S104 - a value, not a bind  # noqa: E501
    "ORDERFLOW_HTTP_PORT": ("http", "port", "8080", 8080),
    "ORDERFLOW_HTTP_METRICS_PORT": ("http", "metrics_port", "9204", 9204),
    "ORDERFLOW_HTTP_MAX_BODY_BYTES": ("http", "max_body_bytes", "65536", 65536),
    "ORDERFLOW_HTTP_MAX_JSON_DEPTH": ("http", "max_json_depth", "8", 8),
    "ORDERFLOW_HTTP_REPORT_CONCURRENCY": ("http", "report_concurrency", "4", 4),
    "ORDERFLOW_RELAY_METRICS_PORT": ("relay", "metrics_port", "9201", 9201),
    "ORDERFLOW_RELAY_READY_MAX_AGE_SECONDS": ("relay", "ready_max_age_seconds", "90", 90.0),
    "ORDERFLOW_CONSUMER_METRICS_PORT": ("consumers", "metrics_port", "9202", 9202),
    "ORDERFLOW_CONSUMER_GROUP_PREFIX": ("consumers", "group_prefix", "blue-", "blue-"),
    "ORDERFLOW_CONSUMER_RETRY_DELAYS_SECONDS": ("consumers", "retry_delays_seconds", "[1, 2]", [1.0, 2.0]),  # noqa: E501
    "ORDERFLOW_CONSUMER_QUICK_ATTEMPTS": ("consumers", "quick_attempts", "5", 5),
    "ORDERFLOW_CONSUMER_BATCH_SIZE": ("consumers", "batch_size", "50", 50),
    "ORDERFLOW_CONSUMER_STOP_GRACE_SECONDS": ("consumers", "stop_grace_seconds", "2.5", 2.5),
    "ORDERFLOW_CONSUMER_INBOX_RETENTION_DAYS": ("consumers", "inbox_retention_days", "30", 30.0),
    "ORDERFLOW_CONSUMER_INBOX_SWEEP_INTERVAL_SECONDS": ("consumers", "inbox_sweep_interval_seconds", "60", 60.0),  # noqa: E501
    "ORDERFLOW_CONSUMER_INBOX_SWEEP_BATCH_SIZE": ("consumers", "inbox_sweep_batch_size", "100", 100),  # noqa: E501
    "ORDERFLOW_SMTP_HOST": ("smtp", "host", "mail.example", "mail.example"),
    "ORDERFLOW_SMTP_PORT": ("smtp", "port", "465", 465),
    "ORDERFLOW_SMTP_FROM": ("smtp", "sender", "shop <shop@x.example>", "shop <shop@x.example>"),
    "ORDERFLOW_SMTP_USE_TLS": ("smtp", "use_tls", "true", True),
    "ORDERFLOW_SMTP_START_TLS": ("smtp", "start_tls", "false", False),
    "ORDERFLOW_SMTP_USERNAME": ("smtp", "username", "mailer", "mailer"),
    "ORDERFLOW_SMTP_PASSWORD": ("smtp", "password", "pw", SecretStr("pw")),
    "ORDERFLOW_SMTP_TIMEOUT_SECONDS": ("smtp", "timeout_seconds", "3.5", 3.5),
    "ORDERFLOW_PASSWORD_RESET_URL": ("identity", "password_reset_url", "https://s/r#t={token}", "https://s/r#t={token}"),
    "ORDERFLOW_RELAY_BATCH_SIZE": ("relay", "batch_size", "100", 100),
    "ORDERFLOW_RELAY_POLL_INTERVAL_SECONDS": ("relay", "poll_interval_seconds", "0.5", 0.5),
    "ORDERFLOW_RELAY_MAX_RECORD_BYTES": ("relay", "max_record_bytes", "2048", 2048),
    "ORDERFLOW_RELAY_PIPELINE_DEPTH": ("relay", "pipeline_depth", "4", 4),
    "ORDERFLOW_RELAY_LANE_REFRESH_SECONDS": ("relay", "lane_refresh_seconds", "2.5", 2.5),
    "ORDERFLOW_RELAY_MAX_BACKOFF_SECONDS": ("relay", "max_backoff_seconds", "20", 20.0),
    "ORDERFLOW_RELAY_RETENTION_HOURS": ("relay", "retention_hours", "48", 48.0),
    "ORDERFLOW_RELAY_CLEANUP_INTERVAL_SECONDS": ("relay", "cleanup_interval_seconds", "30", 30.0),
    "ORDERFLOW_RELAY_CLEANUP_BATCH_SIZE": ("relay", "cleanup_batch_size", "1000", 1000),
    "ORDERFLOW_RELAY_GAUGE_INTERVAL_SECONDS": ("relay", "gauge_interval_seconds", "1", 1.0),
    "ORDERFLOW_RELAY_LINGER_MS": ("relay", "linger_ms", "5", 5),
    "ORDERFLOW_DLQ_MAX_REPLAYS": ("dead_letters", "max_replays", "7", 7),
    "ORDERFLOW_DLQ_METRICS_INTERVAL_SECONDS": ("dead_letters", "metrics_interval_seconds", "5", 5.0),  # noqa: E501
    "ORDERFLOW_DLQ_REPLAY_WINDOW_DAYS": ("dead_letters", "replay_window_days", "3", 3.0),
    "ORDERFLOW_JWT_SECRET": ("identity", "jwt_secret", "s" * 40, SecretStr("s" * 40)),
    "ORDERFLOW_ACCESS_TOKEN_TTL_SECONDS": ("identity", "access_token_ttl_seconds", "120", 120),
    "ORDERFLOW_CLIENT_TOKEN_TTL_SECONDS": ("identity", "client_token_ttl_seconds", "300", 300),
    "ORDERFLOW_PASSWORD_RESET_TTL_SECONDS": ("identity", "password_reset_ttl_seconds", "600", 600),
    "ORDERFLOW_PAYMENT_PROVIDER_URL": ("payments", "provider_url", "http://pay", "http://pay"),
    "ORDERFLOW_PAYMENT_TIMEOUT_SECONDS": ("payments", "timeout_seconds", "1.5", 1.5),
    "ORDERFLOW_PAYMENT_ATTEMPTS": ("payments", "attempts", "4", 4),
    "ORDERFLOW_PAYMENT_BUDGET_SECONDS": ("payments", "budget_seconds", "9", 9.0),
    "ORDERFLOW_PAYMENT_BREAKER_FAILURES": ("payments", "breaker_failures", "8", 8),
    "ORDERFLOW_PAYMENT_BREAKER_RESET_SECONDS": ("payments", "breaker_reset_seconds", "15", 15.0),
    "ORDERFLOW_PAYMENT_SETTLE_WITHIN_SECONDS": ("payments", "settle_within_seconds", "60", 60.0),
    "ORDERFLOW_PAYMENT_START_WITHIN_SECONDS": ("payments", "start_within_seconds", "2", 2.0),
    "ORDERFLOW_PAYMENT_RECONCILE_INTERVAL_SECONDS": ("payments", "reconcile_interval_seconds", "45", 45.0),  # noqa: E501
    "ORDERFLOW_PAYMENT_RECONCILE_GRACE_SECONDS": ("payments", "reconcile_grace_seconds", "5", 5.0),
    "ORDERFLOW_CHECKOUT_KEY_RETENTION_DAYS": ("checkout", "key_retention_days", "30", 30.0),
    "ORDERFLOW_CHECKOUT_KEY_SWEEP_INTERVAL_SECONDS": ("checkout", "key_sweep_interval_seconds", "60", 60.0),  # noqa: E501
    "ORDERFLOW_CHECKOUT_KEY_SWEEP_BATCH_SIZE": ("checkout", "key_sweep_batch_size", "100", 100),
    "ORDERFLOW_CARRIER_URL": ("fulfillment", "carrier_url", "http://carrier", "http://carrier"),
    "ORDERFLOW_CARRIER_TIMEOUT_SECONDS": ("fulfillment", "carrier_timeout_seconds", "2", 2.0),
    "ORDERFLOW_DELIVERY_TRACKING_INTERVAL_SECONDS": ("fulfillment", "delivery_tracking_interval_seconds", "3", 3.0),  # noqa: E501
    "ORDERFLOW_DELIVERY_TRACKING_CONCURRENCY": ("fulfillment", "delivery_tracking_concurrency", "8", 8),  # noqa: E501
    "ORDERFLOW_DELIVERY_TRACKING_UNKNOWN_BACKOFF_SECONDS": ("fulfillment", "delivery_tracking_unknown_backoff_seconds", "30", 30.0),  # noqa: E501
    "ORDERFLOW_DELIVERY_TRACKING_UNKNOWN_BACKOFF_MAX_SECONDS": ("fulfillment", "delivery_tracking_unknown_backoff_max_seconds", "600", 600.0),  # noqa: E501
    "ORDERFLOW_JWT_KEY_ID": ("identity", "jwt_key_id", "k7", "k7"),
    "ORDERFLOW_JWT_PREVIOUS_KEYS": ("identity", "jwt_previous_keys", '[{"kid": "k0", "secret": "s", "accept_until": "2030-01-01T00:00:00Z"}]', [PreviousKey(kid="k0", secret=SecretStr("s"), accept_until=datetime(2030, 1, 1, tzinfo=UTC))]),  # noqa: E501
    "ORDERFLOW_JWT_ISSUER": ("identity", "jwt_issuer", "shop", "shop"),
    "ORDERFLOW_JWT_AUDIENCE": ("identity", "jwt_audience", "shop-api", "shop-api"),
    "ORDERFLOW_REFRESH_TOKEN_TTL_SECONDS": ("identity", "refresh_token_ttl_seconds", "3600", 3600),
    "ORDERFLOW_SESSION_MAX_LIFETIME_SECONDS": ("identity", "session_max_lifetime_seconds", "7200", 7200),  # noqa: E501
    "ORDERFLOW_SESSION_CHECK_TTL_SECONDS": ("identity", "session_check_ttl_seconds", "0.5", 0.5),
    "ORDERFLOW_PASSWORD_HASH_TIME_COST": ("identity", "password_hash_time_cost", "4", 4),
    "ORDERFLOW_PASSWORD_HASH_MEMORY_KIB": ("identity", "password_hash_memory_kib", "131072", 131072),  # noqa: E501
    "ORDERFLOW_PASSWORD_HASH_PARALLELISM": ("identity", "password_hash_parallelism", "2", 2),
    "ORDERFLOW_RATE_LIMIT_ENABLED": ("rate_limits", "enabled", "false", False),
    "ORDERFLOW_RATE_LIMIT_LOGIN_PER_ACCOUNT": ("rate_limits", "login_per_account", "5/10m", Rate(count=5, period_seconds=600)),  # noqa: E501
    "ORDERFLOW_RATE_LIMIT_LOGIN_PER_ADDRESS": ("rate_limits", "login_per_address", "100/1m", Rate(count=100, period_seconds=60)),  # noqa: E501
    "ORDERFLOW_RATE_LIMIT_REGISTER_PER_ACCOUNT": ("rate_limits", "register_per_account", "1/1d", Rate(count=1, period_seconds=86400)),  # noqa: E501
    "ORDERFLOW_RATE_LIMIT_REGISTER_PER_ADDRESS": ("rate_limits", "register_per_address", "50/1h", Rate(count=50, period_seconds=3600)),  # noqa: E501
    "ORDERFLOW_RATE_LIMIT_RESET_PER_ACCOUNT": ("rate_limits", "reset_per_account", "2/1h", Rate(count=2, period_seconds=3600)),  # noqa: E501
    "ORDERFLOW_RATE_LIMIT_RESET_PER_ADDRESS": ("rate_limits", "reset_per_address", "5/30s", Rate(count=5, period_seconds=30)),  # noqa: E501
    "ORDERFLOW_RATE_LIMIT_RESET_CONFIRM_PER_ADDRESS": ("rate_limits", "reset_confirm_per_address", "3/5m", Rate(count=3, period_seconds=300)),  # noqa: E501
    "ORDERFLOW_RATE_LIMIT_REFRESH_PER_ADDRESS": ("rate_limits", "refresh_per_address", "20/1m", Rate(count=20, period_seconds=60)),  # noqa: E501
    "ORDERFLOW_RATE_LIMIT_TOKEN_PER_ADDRESS": ("rate_limits", "token_per_address", "5/1m", Rate(count=5, period_seconds=60)),  # noqa: E501
    "ORDERFLOW_RATE_LIMIT_TOKEN_PER_CLIENT": ("rate_limits", "token_per_client", "7/1m", Rate(count=7, period_seconds=60)),  # noqa: E501
    "ORDERFLOW_JOBS_METRICS_PORT": ("jobs", "metrics_port", "9203", 9203),
    "ORDERFLOW_JOBS_BACKOFF_MAX_SECONDS": ("jobs", "backoff_max_seconds", "5", 5.0),
    "ORDERFLOW_LOG_LEVEL": ("logging", "level", "DEBUG", "DEBUG"),
    "ORDERFLOW_LOG_FORMAT": ("logging", "format", "console", "console"),
    "ORDERFLOW_RECOMMENDATIONS_STATEMENT_TIMEOUT_MS": ("recommendations", "statement_timeout_ms", "100", 100),  # noqa: E501
    "ORDERFLOW_RECOMMENDATIONS_BUDGET_SECONDS": ("recommendations", "budget_seconds", "0.5", 0.5),
    "ORDERFLOW_RECOMMENDATIONS_MAX_STALENESS_SECONDS": ("recommendations", "max_staleness_seconds", "60", 60.0),  # noqa: E501
    "ORDERFLOW_RECOMMENDATIONS_FRESHNESS_INTERVAL_SECONDS": ("recommendations", "freshness_interval_seconds", "5", 5.0),  # noqa: E501
}  # fmt: skip


def _read_variables(section: BaseSettings) -> set[str]:
    """The variables a section reads: its prefix plus each field's name, or the field's alias."""
    prefix = section.model_config.get("env_prefix", "")
    return {
        str(info.validation_alias) if info.validation_alias else f"{prefix}{name}".upper()
        for name, info in type(section).model_fields.items()
    }


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No ORDERFLOW_ variable from the shell running the tests."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("variable", VARIABLES)
def test_each_variable_lands_in_its_field(variable: str, monkeypatch: pytest.MonkeyPatch) -> None:
    section, field, raw, expected = VARIABLES[variable]
    default = getattr(getattr(Settings(), section), field)
    monkeypatch.setenv(variable, raw)

    value = getattr(getattr(Settings(), section), field)

    assert value != default  # the variable changed something
    assert value == expected


def test_the_settings_read_exactly_the_variables_they_always_read() -> None:
    settings = Settings()
    sections: list[BaseModel] = [getattr(settings, name) for name in type(settings).model_fields]
    read = [v for section in sections for v in _read_variables(section)]  # type: ignore[arg-type]
    assert sorted(read) == sorted(VARIABLES)


def test_a_renamed_field_keeps_its_one_old_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERFLOW_SMTP_SENDER", "new <new@x.example>")
    assert Settings().smtp.sender == "orderflow <no-reply@orderflow.example>"


def test_a_section_given_in_code_leaves_the_others_to_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ORDERFLOW_RELAY_BATCH_SIZE", "42")
    settings = Settings(database=DatabaseSettings(url="postgresql+asyncpg://given/x"))
    assert settings.database.url == "postgresql+asyncpg://given/x"
    assert settings.relay.batch_size == 42


def test_a_flat_keyword_of_the_old_settings_is_refused() -> None:
    with pytest.raises(ValidationError, match="database_url"):
        Settings(database_url="postgresql+asyncpg://db/x")  # type: ignore[call-arg]


def test_an_invalid_value_names_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERFLOW_RELAY_PIPELINE_DEPTH", "99")
    with pytest.raises(ValidationError, match="pipeline_depth"):
        Settings()


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ORDERFLOW_TOPIC_PREFIX", "blue/"),  # not a Kafka topic character
        ("ORDERFLOW_TOPIC_PREFIX", "x" * 101),
        ("ORDERFLOW_EVENT_SOURCE", "/orderflow/"),  # each event appends /<domain>
        ("ORDERFLOW_EVENT_SOURCE", ""),
    ],
)
def test_a_namespace_kafka_or_cloudevents_cannot_take_is_refused(
    variable: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError, match=variable.removeprefix("ORDERFLOW_").lower()):
        Settings()


def test_updated_changes_one_field_of_one_section() -> None:
    settings = Settings()
    changed = settings.updated(http={"port": 8123})
    assert changed.http.port == 8123
    assert settings.http.port == 8000
    assert changed.relay == settings.relay


@pytest.mark.parametrize(
    "url",
    [
        "https://shop.example/reset-password?token={token}",
        "https://shop.example/reset/{token}",
        "https://shop.example/reset-password",
    ],
)
def test_a_reset_link_keeps_its_token_in_the_fragment(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORDERFLOW_PASSWORD_RESET_URL", url)
    with pytest.raises(ValidationError, match="ORDERFLOW_PASSWORD_RESET_URL"):
        Settings()


def test_a_setting_that_cannot_work_is_one_line_naming_its_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ORDERFLOW_TOPIC_PREFIX", "blue/")
    monkeypatch.setenv("ORDERFLOW_LOG_FORMAT", "console")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["jobs"])
    finally:
        get_settings.cache_clear()

    assert result.exit_code == 2
    assert result.output.startswith("error: invalid configuration: ORDERFLOW_TOPIC_PREFIX: ")
    assert len(result.output.splitlines()) == 1
