"""Facebook: comments and visitor posts on the brand's page, by webhook or polling.

Environment: `FACEBOOK_GRAPH_URL`, `FACEBOOK_PAGE_ID`, `FACEBOOK_PAGE_TOKEN`,
`FACEBOOK_APP_SECRET` (webhook signatures), `FACEBOOK_VERIFY_TOKEN` (webhook handshake).
desk.yaml: `sources.facebook: {poll_every}`. Web: `GET|POST /webhooks/facebook`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bot.sources.base import Network, PollerParts, WebParts
from bot.sources.facebook.settings import FacebookOptions, FacebookSettings

if TYPE_CHECKING:
    from starlette.routing import Route

    from bot.sources.base import Poller, Replies

__all__ = ["NETWORK", "FacebookOptions", "FacebookSettings"]

COMMENT_LIMIT = 8000


def _replies(settings: FacebookSettings) -> Replies:
    from bot.sources.facebook.graph import FacebookReplies, make_http

    return FacebookReplies(make_http(settings), settings.page_id)


def _poller(parts: PollerParts) -> Poller:
    from bot.sources.facebook.graph import make_http
    from bot.sources.facebook.poll import FacebookPoller

    return FacebookPoller(make_http(parts.settings), parts.settings.page_id, parts.checkpoints)


def _web_routes(parts: WebParts) -> list[Route]:
    from bot.sources.facebook.webhook import webhook_routes

    return webhook_routes(parts)


def _reply_limit(text: str) -> tuple[int, int]:
    return len(text), COMMENT_LIMIT


NETWORK = Network(
    name="facebook", label="Facebook", config_key="facebook", settings=FacebookSettings,
    options=FacebookOptions, replies=_replies, poller=_poller, web_routes=_web_routes,
    reply_limit=_reply_limit, default_target=timedelta(minutes=40),
    private_channel="Messenger", handle_optional=True,
)
