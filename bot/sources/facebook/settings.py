"""The Facebook network's settings: environment variables and its desk.yaml block."""

from __future__ import annotations

from datetime import timedelta

from bot.sources.base import NetworkSettings, PollOptions


class FacebookSettings(NetworkSettings, env_prefix="FACEBOOK_"):
    """`FACEBOOK_*` environment variables."""

    graph_url: str = "https://graph.facebook.com/v21.0"
    page_id: str = ""
    page_token: str = ""
    app_secret: str = ""
    verify_token: str = ""

    @property
    def configured(self) -> bool:
        """Facebook needs a page id and a page access token."""
        return bool(self.page_id and self.page_token)


class FacebookOptions(PollOptions):
    """`sources.facebook` in desk.yaml: polling is the fallback to webhooks."""

    poll_every: timedelta = timedelta(minutes=5)
