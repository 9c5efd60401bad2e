"""The X network's settings: environment variables and its desk.yaml block."""

from __future__ import annotations

from datetime import timedelta

from bot.sources.base import NetworkSettings, PollOptions


class XSettings(NetworkSettings, env_prefix="X_"):
    """`X_*` environment variables."""

    api_url: str = "https://api.x.com"
    bearer_token: str = ""
    consumer_key: str = ""
    consumer_secret: str = ""
    access_token: str = ""
    access_token_secret: str = ""
    user_id: str = ""  # the brand account's X user id; unset: asked from GET /2/users/me

    @property
    def user_context(self) -> bool:
        """Replying on X needs the four OAuth 1.0a user-context secrets."""
        return all((self.consumer_key, self.consumer_secret, self.access_token,
                    self.access_token_secret))

    @property
    def configured(self) -> bool:
        """X polling needs a bearer token or the OAuth 1.0a user context."""
        return bool(self.bearer_token or self.user_context)


class XOptions(PollOptions):
    """`sources.x` in desk.yaml."""

    poll_every: timedelta = timedelta(seconds=60)
    query: str | None = None
