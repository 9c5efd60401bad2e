"""X (API v2 through tweepy): replies now; mention polling lives in `x_poll`."""

from __future__ import annotations

import tweepy
from twitter_text import parse_tweet

from bot.errors import NetworkError
from bot.models import Mention
from bot.settings import Settings
from bot.sources.base import Posted
from bot.sources.x_transport import redirect_session

X_LIMIT = 280


def weighted_length(text: str) -> int:
    """Length as X counts it: URLs 23, most CJK and emoji 2."""
    return int(parse_tweet(text).weightedLength)


def make_client(settings: Settings) -> tweepy.Client:
    """A tweepy Client for the configured credentials, pointed at `X_API_URL`."""
    client = tweepy.Client(
        bearer_token=settings.x_bearer_token or None,
        consumer_key=settings.x_consumer_key or None,
        consumer_secret=settings.x_consumer_secret or None,
        access_token=settings.x_access_token or None,
        access_token_secret=settings.x_access_token_secret or None,
        wait_on_rate_limit=False,
    )
    redirect_session(client.session, settings.x_api_url)
    return client


class XSource:
    """The X network: reply with `create_tweet(in_reply_to_tweet_id=…)`."""

    network = "twitter"

    def __init__(self, client: tweepy.Client) -> None:
        self.client = client

    def reply_limit(self, text: str) -> tuple[int, int] | None:
        return weighted_length(text), X_LIMIT

    def reply(self, mention: Mention, text: str) -> Posted:
        try:
            resp = self.client.create_tweet(text=text, in_reply_to_tweet_id=mention.id)
        except tweepy.TooManyRequests as exc:
            raise NetworkError("X", "rate limit reached (429)", retryable=True) from exc
        except tweepy.HTTPException as exc:
            status = exc.response.status_code if exc.response is not None else 0
            detail = "; ".join(exc.api_messages) or f"HTTP {status}"
            raise NetworkError("X", detail, retryable=status >= 500) from exc
        except Exception as exc:  # requests' connection errors
            raise NetworkError("X", f"not reachable ({type(exc).__name__})", retryable=True) from exc
        tweet_id = str(resp.data["id"])
        return Posted(tweet_id, f"https://x.com/i/web/status/{tweet_id}")

    def poll(self) -> list[Mention]:
        return []
