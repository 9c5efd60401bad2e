"""X (formerly Twitter): mentions of the brand account and a search query, replies and DMs.

Environment: `X_API_URL`, `X_BEARER_TOKEN` (app-only reading) and the OAuth 1.0a user
context `X_CONSUMER_KEY`, `X_CONSUMER_SECRET`, `X_ACCESS_TOKEN`, `X_ACCESS_TOKEN_SECRET`
(replying, DMs); `X_USER_ID` optional. desk.yaml: `sources.x: {poll_every, query}`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bot.sources.base import Network, PollerParts
from bot.sources.x.length import X_LIMIT, weighted_length
from bot.sources.x.settings import XOptions, XSettings

if TYPE_CHECKING:
    from bot.sources.base import Poller, Replies

__all__ = ["NETWORK", "XOptions", "XSettings"]


def _replies(settings: XSettings) -> Replies:
    from bot.sources.x.replies import XReplies, make_client

    return XReplies(make_client(settings))


def _poller(parts: PollerParts) -> Poller:
    """App-only bearer token if set, else the user context."""
    import requests

    from bot.sources.x.poll import XPoller
    from bot.sources.x.replies import make_client

    s: XSettings = parts.settings
    return XPoller(make_client(s, return_type=requests.Response), parts.checkpoints,
                   brand_id=s.user_id or None, query=parts.options.query,
                   app_auth=bool(s.bearer_token))


def _usage(settings: XSettings) -> dict[str, float]:
    from bot.sources.x.usage import read_usage

    return read_usage(settings)


def _reply_limit(text: str) -> tuple[int, int]:
    return weighted_length(text), X_LIMIT


NETWORK = Network(
    name="twitter", label="X", config_key="x", settings=XSettings, options=XOptions,
    replies=_replies, poller=_poller, reply_limit=_reply_limit,
    default_target=timedelta(minutes=20), private_channel="DM", usage=_usage,
)
