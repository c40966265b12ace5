"""App settings: secrets, URLs and backends, read once from the environment.

Tier one of the two-tier config (STYLE.md): what the operator sets, never the target repo.
A missing required value is a `ConfigError` at startup naming the variable, not a crash later.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigError

DEFAULT_API_URL = "https://api.github.com"


class Settings(BaseSettings):
    """Everything the bot needs from its operator; env names are given per field."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    github_api_url: str = Field(
        default=DEFAULT_API_URL, pattern=r"^https?://[^\s/]+", alias="GITHUB_API_URL"
    )
    github_token: SecretStr | None = Field(default=None, alias="GITHUB_TOKEN")
    github_app_id: int | None = Field(default=None, alias="GITHUB_APP_ID")
    github_app_private_key: SecretStr | None = Field(default=None, alias="GITHUB_APP_PRIVATE_KEY")
    github_app_installation_id: int | None = Field(default=None, alias="GITHUB_APP_INSTALLATION_ID")
    webhook_secret: SecretStr | None = Field(default=None, alias="ISSUEBOT_WEBHOOK_SECRET")
    database_url: str = Field(default="sqlite:///.issuebot/issuebot.db", alias="DATABASE_URL")
    queue_url: str | None = Field(default=None, alias="QUEUE_URL")
    # The RQ queue (and NAME-fast lane) of this bot: several bots may share one Redis.
    queue_name: str = Field(
        default="issuebot", pattern=r"^[A-Za-z0-9_.-]{1,80}$", alias="ISSUEBOT_QUEUE_NAME"
    )
    work_dir: Path = Field(default=Path(".issuebot/work"), alias="ISSUEBOT_WORK_DIR")
    bot_login: str = Field(default="issuebot[bot]", alias="ISSUEBOT_BOT_LOGIN")
    bot_email: str = Field(
        default="issuebot[bot]@users.noreply.github.com", alias="ISSUEBOT_BOT_EMAIL"
    )
    # None: JSON when stderr is not a terminal (a service's log collector), text for people.
    log_json: bool | None = Field(default=None, alias="ISSUEBOT_LOG_JSON")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", alias="ISSUEBOT_LOG_LEVEL"
    )
    notify_urls: str = Field(default="", alias="ISSUEBOT_NOTIFY_URLS")
    # Set by GitHub Actions in every job: a `ghs_` GITHUB_TOKEN there is github-actions[bot].
    github_actions: bool = Field(default=False, alias="GITHUB_ACTIONS")
    # Webhook server limits: every stage before the signature check is bounded (see README).
    header_timeout: float = Field(default=10.0, gt=0, alias="ISSUEBOT_HEADER_TIMEOUT")
    body_timeout: float = Field(default=10.0, gt=0, alias="ISSUEBOT_BODY_TIMEOUT")
    keep_alive_timeout: int = Field(default=5, ge=1, alias="ISSUEBOT_KEEP_ALIVE_TIMEOUT")
    max_connections: int = Field(default=256, ge=1, alias="ISSUEBOT_MAX_CONNECTIONS")
    max_pending_reads: int = Field(default=32, ge=1, alias="ISSUEBOT_MAX_PENDING_READS")
    # A lease's holder renews it every third of this; a dead holder's lease is free after it.
    lease_ttl_seconds: float = Field(default=30.0, gt=0.5, le=3600, alias="ISSUEBOT_LEASE_TTL")
    # How often every worker (and the embedded server) looks for runs whose holder died.
    maintenance_seconds: float = Field(default=5.0, gt=0, le=600, alias="ISSUEBOT_MAINTENANCE")
    # Check events on one PR head within this window lead to one merge-gate evaluation.
    gate_debounce_seconds: float = Field(default=2.0, ge=0, le=60, alias="ISSUEBOT_GATE_DEBOUNCE")
    metrics_token: SecretStr | None = Field(default=None, alias="ISSUEBOT_METRICS_TOKEN")
    metrics_address: str | None = Field(
        default=None,
        pattern=r"^(\[[0-9a-fA-F:]+\]|[^\s:\[\]]*):\d{1,5}$",
        alias="ISSUEBOT_METRICS_ADDRESS",
    )

    def metrics_bind(self) -> tuple[str, int] | None:
        """`ISSUEBOT_METRICS_ADDRESS` as (host, port): /metrics then lives only there."""
        if not self.metrics_address:
            return None
        host, _, port = self.metrics_address.rpartition(":")
        return host.strip("[]") or "127.0.0.1", int(port)

    def require_github_auth(self) -> None:
        """Fail early and clearly when no GitHub credentials are configured."""
        if self.github_token is None and (
            self.github_app_id is None or self.github_app_private_key is None
        ):
            raise ConfigError(
                "no GitHub credentials: set GITHUB_TOKEN, or GITHUB_APP_ID and "
                "GITHUB_APP_PRIVATE_KEY"
            )


def load_settings() -> Settings:
    """Read settings from the environment, turning pydantic errors into one ConfigError."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"invalid environment: {problems}") from exc
