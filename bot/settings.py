"""Process settings from the environment (pydantic-settings). Secrets never come from desk.yaml.

The core variables live here; each network declares its own (`X_*`, `FACEBOOK_*`, …) in its
package, read with `Settings.network(spec)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, PrivateAttr
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from bot.sources.base import Network, NetworkSettings


class Settings(BaseSettings):
    """Every core environment variable of the contract (see README, "Environment").

    Keyword arguments a network owns (`x_api_url=…`, `facebook_page_id=…`) are kept aside and
    override that network's environment, so a test or the demo can build settings in code.
    """

    model_config = SettingsConfigDict(env_file=None, extra="allow", case_sensitive=False)

    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    slack_app_token: str = ""
    slack_api_url: str = "https://slack.com/api/"
    redis_url: str = ""
    desk_config: str = "config/desk.yaml"
    port: int = Field(default=3000, ge=1, le=65535)
    ingest_token: str = ""
    worker_reclaim_ms: int = Field(default=60_000, ge=100)  # a silent worker's work moves on
    # seconds: a worker beats at least this often; /healthz fails after 3 silent intervals
    heartbeat_interval: float = Field(default=10.0, gt=0, le=3600)
    # issue 14: seconds between checks for a retrained triage model in Redis
    triage_model_check: float = Field(default=30.0, gt=0, le=3600)

    # ----- Redis Sentinel and Cluster (issue 15) -----
    redis_mode: Literal["single", "sentinel", "cluster"] = "single"
    redis_sentinels: str = ""  # host:port,host:port,… (sentinel mode)
    redis_sentinel_master: str = ""  # the master's name the sentinels monitor
    redis_password: str = ""  # the data nodes' password (sentinel, cluster; else in REDIS_URL)
    # ms between two posts into one channel (Slack: ≈1 post/s); 0: no pacing, only for a Slack
    # stand-in without rate limits (load benchmark, failover test)
    slack_channel_interval_ms: int = Field(default=1000, ge=0, le=60_000)

    _networks: dict[str, Any] = PrivateAttr(default_factory=dict)

    def redis(self) -> dict[str, str]:
        """What `bot.store.connect` needs: URL, mode, sentinels, master name, password."""
        return {"url": self.redis_url, "mode": self.redis_mode, "sentinels": self.redis_sentinels,
                "master": self.redis_sentinel_master, "password": self.redis_password}

    @property
    def redis_configured(self) -> bool:
        """A real Redis is named (else the embedded one is used)."""
        return bool(self.redis_url) or self.redis_mode == "sentinel"

    @property
    def slack_base_url(self) -> str:
        """Slack API base URL with the trailing slash slack-sdk expects."""
        return self.slack_api_url if self.slack_api_url.endswith("/") else self.slack_api_url + "/"

    def network(self, spec: Network) -> NetworkSettings:
        """The settings of one network: its environment, overridden by keyword arguments."""
        if spec.name not in self._networks:
            prefix = str(spec.settings.model_config.get("env_prefix", "")).lower()
            given = {k[len(prefix):]: v for k, v in (self.model_extra or {}).items()
                     if prefix and k.lower().startswith(prefix)}
            self._networks[spec.name] = spec.settings(**given)
        return self._networks[spec.name]  # type: ignore[no-any-return]
