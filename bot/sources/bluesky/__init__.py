"""Bluesky (AT Protocol, through the `atproto` SDK): mentions, replies and quotes of the brand
account, threaded replies, and Chat messages.

Environment: `BLUESKY_HANDLE`, `BLUESKY_APP_PASSWORD` (an app password; Chat needs one created
with "allow access to your direct messages"), `BLUESKY_SERVICE_URL` (the account's PDS or the
`https://bsky.social` entryway). desk.yaml: `sources.bluesky: {poll_every}`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bot.sources.base import Network, PollerParts
from bot.sources.bluesky.length import GRAPHEME_LIMIT, reply_length
from bot.sources.bluesky.settings import BlueskyOptions, BlueskySettings

if TYPE_CHECKING:
    from bot.sources.base import Poller, Replies

__all__ = ["NETWORK", "BlueskyOptions", "BlueskySettings"]


def _replies(settings: BlueskySettings) -> Replies:
    from bot.sources.bluesky.replies import BlueskyReplies
    from bot.sources.bluesky.session import BlueskySession

    return BlueskyReplies(BlueskySession(settings))


def _poller(parts: PollerParts) -> Poller:
    from bot.sources.bluesky.poll import BlueskyPoller
    from bot.sources.bluesky.session import BlueskySession

    return BlueskyPoller(BlueskySession(parts.settings), parts.checkpoints)


def _reply_limit(text: str) -> tuple[int, int]:
    return reply_length(text), GRAPHEME_LIMIT


NETWORK = Network(
    name="bluesky", label="Bluesky", config_key="bluesky", settings=BlueskySettings,
    options=BlueskyOptions, replies=_replies, poller=_poller, reply_limit=_reply_limit,
    default_target=timedelta(minutes=30), private_channel="Chat",
)
