"""X (API v2 through tweepy): public replies and direct messages. Reading lives in `x_poll`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import tweepy

from bot.errors import NetworkError
from bot.models import Mention
from bot.settings import Settings
from bot.sources.base import Posted, SourceError
from bot.sources.tweet_length import weighted_length as weighted_length  # re-exported for bot.demo
from bot.sources.x_transport import redirect_session

X_LIMIT = 280
NETWORK = "X"
NOT_MENTIONED = "not been mentioned or otherwise engaged"  # X's 403 detail since 2026


def make_client(settings: Settings, return_type: type[Any] = tweepy.Response) -> tweepy.Client:
    """A tweepy Client for the configured credentials, pointed at `X_API_URL`.

    `return_type=requests.Response` keeps the `x-rate-limit-*` headers (the poller needs them).
    """
    client = tweepy.Client(
        bearer_token=settings.x_bearer_token or None,
        consumer_key=settings.x_consumer_key or None,
        consumer_secret=settings.x_consumer_secret or None,
        access_token=settings.x_access_token or None,
        access_token_secret=settings.x_access_token_secret or None,
        return_type=return_type,
        wait_on_rate_limit=False,
    )
    redirect_session(client.session, settings.x_api_url)
    return client


def _reset_text(reset: int | None) -> str:
    if not reset:
        return "?"
    return datetime.fromtimestamp(reset, UTC).strftime("%H:%M UTC")


def x_error(exc: Exception) -> NetworkError:
    """The NetworkError an agent understands for a failed tweepy call."""
    if isinstance(exc, tweepy.TooManyRequests):
        return SourceError(NETWORK, "source.rate_limited", retryable=True,
                           reset=_reset_text(exc.reset_time))
    if isinstance(exc, tweepy.HTTPException):
        status = exc.response.status_code if exc.response is not None else 0
        detail = "; ".join(str(m) for m in exc.api_messages) or f"HTTP {status}"
        if status == 403 and NOT_MENTIONED in detail:
            return SourceError(NETWORK, "source.x_not_mentioned")
        return SourceError(NETWORK, "source.refused", retryable=status >= 500, detail=detail)
    return SourceError(NETWORK, "source.unreachable", retryable=True, detail=type(exc).__name__)


class XSource:
    """The X network: reply with `create_tweet(in_reply_to_tweet_id=…)`, DM the author."""

    network = "twitter"

    def __init__(self, client: tweepy.Client) -> None:
        self.client = client

    def reply_limit(self, text: str) -> tuple[int, int] | None:
        return weighted_length(text), X_LIMIT

    def _require_user_context(self) -> None:
        """Posting and DMs act as the brand account: OAuth 1.0a user context is required."""
        c = self.client
        if not all((c.consumer_key, c.consumer_secret, c.access_token, c.access_token_secret)):
            raise SourceError(NETWORK, "source.refused", detail="X_CONSUMER_KEY, X_CONSUMER_SECRET, "
                              "X_ACCESS_TOKEN, X_ACCESS_TOKEN_SECRET (OAuth 1.0a) fehlen")

    def reply(self, mention: Mention, text: str) -> Posted:
        self._require_user_context()
        try:
            resp = self.client.create_tweet(text=text, in_reply_to_tweet_id=mention.id,
                                            user_auth=True)
        except Exception as exc:  # tweepy's HTTP errors and requests' connection errors
            raise x_error(exc) from exc
        tweet_id = str(resp.data["id"])
        return Posted(tweet_id, f"https://x.com/i/web/status/{tweet_id}")

    def private_reply(self, mention: Mention, text: str) -> Posted:
        """A one-to-one DM to the author (`POST /2/dm_conversations/with/:id/messages`).

        Raises SourceError `source.x_dm_closed` when the customer does not accept our DMs.
        """
        self._require_user_context()
        try:
            resp = self.client.create_direct_message(participant_id=mention.author.id, text=text,
                                                     user_auth=True)
        except tweepy.Forbidden as exc:
            raise SourceError(NETWORK, "source.x_dm_closed") from exc
        except Exception as exc:
            raise x_error(exc) from exc
        data = resp.data or {}
        conversation = str(data.get("dm_conversation_id", ""))
        return Posted(str(data.get("dm_event_id", "")),
                      f"https://x.com/messages/{conversation}" if conversation else "")
