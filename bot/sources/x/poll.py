"""Poll X for mentions of the brand account and for a search query, with Redis checkpoints.

Each stream (`mentions`, `search`) keeps its own `since_id`. A poll reads every page newer
than the checkpoint, hands the posts to the queue oldest first, and only then advances the
checkpoint to the newest id. A 429 (or a spent window, `x-rate-limit-remaining: 0`) stores a
back-off until `x-rate-limit-reset` in Redis and leaves the checkpoint where it was.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests
import tweepy

from bot.models import Author, Mention
from bot.sources.base import Enqueue
from bot.store.checkpoints import Checkpoints

log = logging.getLogger(__name__)

TWEET_FIELDS = ["author_id", "conversation_id", "created_at", "referenced_tweets",
                "in_reply_to_user_id", "lang", "entities"]
USER_FIELDS = ["username", "name"]
EXPANSIONS = ["author_id"]
PAGE_SIZE = 100
MAX_PAGES = 20  # 2,000 posts per poll; the mentions timeline reaches back only 800 anyway
DEFAULT_BACKOFF_S = 15 * 60  # X's window, when a 429 carries no reset header


def addresses_brand(tweet: dict[str, Any], brand_id: str | None) -> bool:
    """The post mentions or answers the brand account (X lets us reply only to those)."""
    if not brand_id:
        return False
    if str(tweet.get("in_reply_to_user_id") or "") == brand_id:
        return True
    mentions = ((tweet.get("entities") or {}).get("mentions")) or []
    return any(str(m.get("id") or "") == brand_id for m in mentions)


def mention_from_tweet(tweet: dict[str, Any], users: dict[str, dict[str, Any]],
                       found_by: str = "mention") -> Mention:
    """Normalise one API v2 post (with its expanded author) to a `Mention`."""
    author = users.get(str(tweet.get("author_id")), {})
    username = str(author.get("username") or tweet.get("author_id") or "")
    replied_to = next((str(ref["id"]) for ref in tweet.get("referenced_tweets") or []
                       if ref.get("type") == "replied_to"), "")
    tweet_id = str(tweet["id"])
    return Mention(
        network="twitter",
        id=tweet_id,
        text=str(tweet.get("text", "")),
        author=Author(id=str(tweet.get("author_id", "")), handle=username,
                      name=str(author.get("name") or "")),
        created_at=datetime.fromisoformat(str(tweet["created_at"]).replace("Z", "+00:00")),
        url=f"https://x.com/{username}/status/{tweet_id}",
        conversation_id=str(tweet.get("conversation_id") or ""),
        in_reply_to=replied_to,
        found_by=found_by,
    )


@dataclass(frozen=True)
class Page:
    """One page of results with the rate-limit headers that came with it."""

    tweets: list[dict[str, Any]]
    users: dict[str, dict[str, Any]]
    newest_id: str | None
    next_token: str | None
    remaining: int | None
    reset: int | None


def _page(resp: requests.Response) -> Page:
    body = resp.json()
    meta = body.get("meta") or {}
    users = {str(u["id"]): u for u in (body.get("includes") or {}).get("users", [])}
    remaining = resp.headers.get("x-rate-limit-remaining")
    reset = resp.headers.get("x-rate-limit-reset")
    return Page(list(body.get("data") or []), users, meta.get("newest_id"),
                meta.get("next_token"), int(remaining) if remaining is not None else None,
                int(reset) if reset is not None else None)


class RateLimited(Exception):
    """The endpoint is rate-limited until `reset` (epoch seconds)."""

    def __init__(self, reset: float) -> None:
        super().__init__(f"rate-limited until {reset:.0f}")
        self.reset = reset


class XPoller:
    """Reads the mentions timeline and the search query; see the module docstring.

    `client` must be built with `return_type=requests.Response` (see `x.make_client`).
    `brand_id` is the brand account's user id; None asks `GET /2/users/me` once.
    """

    network = "twitter"

    def __init__(
        self,
        client: tweepy.Client,
        checkpoints: Checkpoints,
        *,
        brand_id: str | None = None,
        query: str | None = None,
        app_auth: bool = True,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.checkpoints = checkpoints
        self.brand_id = brand_id
        self.query = query
        self.user_auth = not app_auth
        self.now = now

    # ----- public -------------------------------------------------------------------------
    def poll(self, enqueue: Enqueue) -> int:
        """Poll every stream that is not backing off; returns the number of new mentions."""
        new = 0
        brand = self._brand_id()
        if brand:
            new += self._stream("mentions", enqueue, lambda **kw: self.client.get_users_mentions(
                brand, user_auth=self.user_auth, **kw), "pagination_token")
        if self.query:
            query = self.query
            new += self._stream("search", enqueue, lambda **kw: self.client.search_recent_tweets(
                query, user_auth=self.user_auth, **kw), "next_token")
        return new

    # ----- one stream ----------------------------------------------------------------------
    def _stream(self, name: str, enqueue: Enqueue, fetch: Callable[..., Any],
                token_param: str) -> int:
        now = self.now()
        until = self.checkpoints.blocked_until(name, now)
        if until is not None:
            log.info("X %s: rate-limited, next poll after %.0f s", name, until - now)
            return 0
        since = self.checkpoints.get(name)
        try:
            tweets, users, newest, complete = self._read(name, fetch, since, token_param)
        except Exception as exc:
            log.warning("X %s: poll failed (%s); checkpoint kept", name, type(exc).__name__)
            return 0
        new = 0
        for tweet in reversed(tweets):  # oldest first, so cards appear in order
            if self.brand_id and str(tweet.get("author_id")) == self.brand_id:
                continue  # our own replies seen by the poller are not mentions
            found_by = ("search" if name == "search" and not addresses_brand(tweet, self.brand_id)
                        else "mention")
            if enqueue(mention_from_tweet(tweet, users, found_by)):
                new += 1
        if complete and newest:
            self.checkpoints.advance(name, newest)
        log.info("X %s: %d posts read, %d new%s", name, len(tweets), new,
                 "" if complete else " (incomplete: checkpoint kept)")
        return new

    def _read(self, name: str, fetch: Callable[..., Any], since: str | None, token_param: str
              ) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]], str | None, bool]:
        """Every page newer than `since`; `complete` is False when a rate limit cut it short.

        Without a checkpoint (first run) only the newest page is read, not the whole history.
        """
        tweets: list[dict[str, Any]] = []
        users: dict[str, dict[str, Any]] = {}
        newest: str | None = None
        token: str | None = None
        for _ in range(MAX_PAGES):
            params: dict[str, Any] = {
                "max_results": PAGE_SIZE, "expansions": EXPANSIONS,
                "tweet_fields": TWEET_FIELDS, "user_fields": USER_FIELDS,
            }
            if since:
                params["since_id"] = since
            if token:
                params[token_param] = token
            try:
                page = self._fetch(name, fetch, params)
            except RateLimited:
                return tweets, users, newest, False
            tweets += page.tweets
            users.update(page.users)
            newest = newest or page.newest_id
            token = page.next_token
            if not token or not since:
                return tweets, users, newest, True
            if page.remaining == 0:  # the next page would be refused: resume from `since`
                return tweets, users, newest, False
        log.warning("X %s: more than %d pages new; the oldest may be missed", name, MAX_PAGES)
        return tweets, users, newest, True

    def _fetch(self, name: str, fetch: Callable[..., Any], params: dict[str, Any]) -> Page:
        now = self.now()
        try:
            resp = fetch(**params)
        except tweepy.TooManyRequests as exc:
            reset = float(exc.reset_time or now + DEFAULT_BACKOFF_S)
            self.checkpoints.block(name, reset, now)
            log.warning("X %s: 429 rate limit; backing off until reset in %.0f s", name,
                        reset - now)
            raise RateLimited(reset) from exc
        page = _page(resp)
        if page.remaining == 0 and page.reset:
            self.checkpoints.block(name, float(page.reset), now)
            log.info("X %s: rate-limit window spent; next poll after reset in %.0f s", name,
                     page.reset - now)
        return page

    def _brand_id(self) -> str | None:
        """The brand account's id: given, or asked once from `GET /2/users/me` (user context)."""
        if self.brand_id:
            return self.brand_id
        try:
            resp = self.client.get_me(user_auth=True)
            self.brand_id = str(resp.json()["data"]["id"])
        except Exception as exc:
            log.warning("X mentions: brand account unknown (set X_USER_ID, or the OAuth 1.0a "
                        "secrets for GET /2/users/me): %s", type(exc).__name__)
            return None
        return self.brand_id
