"""Process settings from the environment (pydantic-settings). Secrets never come from desk.yaml."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every environment variable of the contract (see README, "Environment")."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    slack_app_token: str = ""
    slack_api_url: str = "https://slack.com/api/"
    redis_url: str = ""
    desk_config: str = "config/desk.yaml"
    port: int = Field(default=3000, ge=1, le=65535)
    ingest_token: str = ""

    x_api_url: str = "https://api.x.com"
    x_bearer_token: str = ""
    x_consumer_key: str = ""
    x_consumer_secret: str = ""
    x_access_token: str = ""
    x_access_token_secret: str = ""
    x_user_id: str = ""  # the brand account's X user id; unset: asked from GET /2/users/me

    facebook_graph_url: str = "https://graph.facebook.com/v21.0"
    facebook_page_id: str = ""
    facebook_page_token: str = ""
    facebook_app_secret: str = ""
    facebook_verify_token: str = ""

    @property
    def slack_base_url(self) -> str:
        """Slack API base URL with the trailing slash slack-sdk expects."""
        return self.slack_api_url if self.slack_api_url.endswith("/") else self.slack_api_url + "/"

    @property
    def x_configured(self) -> bool:
        """X polling needs a bearer token or the OAuth 1.0a user context."""
        return bool(self.x_bearer_token or self.x_user_context)

    @property
    def x_user_context(self) -> bool:
        """Replying on X needs the four OAuth 1.0a user-context secrets."""
        return all(
            (self.x_consumer_key, self.x_consumer_secret, self.x_access_token,
             self.x_access_token_secret)
        )

    @property
    def facebook_configured(self) -> bool:
        """Facebook needs a page id and a page access token."""
        return bool(self.facebook_page_id and self.facebook_page_token)
