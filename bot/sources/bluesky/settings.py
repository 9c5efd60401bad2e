"""The Bluesky network's settings: environment variables and its desk.yaml block."""

from __future__ import annotations

from datetime import timedelta

from bot.sources.base import NetworkSettings, PollOptions


class BlueskySettings(NetworkSettings, env_prefix="BLUESKY_"):
    """`BLUESKY_*` environment variables."""

    handle: str = ""
    app_password: str = ""
    service_url: str = "https://bsky.social"

    @property
    def configured(self) -> bool:
        """Reading notifications and replying both act as the brand account: handle and password."""
        return bool(self.handle and self.app_password)


class BlueskyOptions(PollOptions):
    """`sources.bluesky` in desk.yaml."""

    poll_every: timedelta = timedelta(seconds=60)
