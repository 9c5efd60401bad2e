"""Polling fallback for Facebook (teams without a public webhook URL): the page feed's comments.

One Graph call reads the newest posts with their newest comments (`filter(stream)` includes
replies). Comments and visitor posts created at or after the checkpoint (epoch seconds) are
handed to the queue oldest first; then the checkpoint moves to the newest `created_time`. The
boundary second is read again on purpose (nothing created in it is missed) and the queue's
dedupe drops what was already queued. Graph throttling (codes 4, 17, 32, 613) stores a back-off
until the time Graph estimates in `X-Business-Use-Case-Usage`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx

from bot.models import Mention
from bot.sources.base import Enqueue
from bot.sources.facebook.graph import GraphError, call
from bot.sources.facebook.mentions import comment_mention, parse_time, post_mention
from bot.store.checkpoints import Checkpoints

log = logging.getLogger(__name__)

STREAM = "feed"
POSTS = 25
COMMENTS = 100
FIRST_LOOKBACK_S = 24 * 3600  # first run: the last day, not the page's whole history
THROTTLE_CODES = (4, 17, 32, 613)
DEFAULT_BACKOFF_S = 15 * 60
COMMENT_FIELDS = "id,message,created_time,from,parent{id},permalink_url"
FEED_FIELDS = (f"id,message,created_time,from,permalink_url,comments.filter(stream)"
               f".order(reverse_chronological).limit({COMMENTS}){{{COMMENT_FIELDS}}}")


def regain_after(headers: httpx.Headers) -> float:
    """Seconds until Graph lets us call again, from `X-Business-Use-Case-Usage` (minutes)."""
    try:
        usage = json.loads(headers.get("x-business-use-case-usage") or "{}")
        minutes = max(int(u.get("estimated_time_to_regain_access") or 0)
                      for entries in usage.values() for u in entries)
    except (ValueError, AttributeError, TypeError):
        minutes = 0
    return minutes * 60.0 if minutes else DEFAULT_BACKOFF_S


def mentions_in_feed(feed: dict[str, Any], page_id: str, since: float) -> list[Mention]:
    """Customers' comments and visitor posts created at or after `since`, oldest first."""
    found: list[Mention] = []
    for post in feed.get("data") or []:
        sender = post.get("from") or {}
        if (sender.get("id") and str(sender["id"]) != page_id and post.get("message")
                and parse_time(post["created_time"]).timestamp() >= since):
            found.append(post_mention(post_id=str(post["id"]), message=str(post["message"]),
                                      sender=sender, created=post["created_time"],
                                      permalink=str(post.get("permalink_url") or "")))
        for comment in (post.get("comments") or {}).get("data") or []:
            who = comment.get("from") or {}
            if (not who.get("id") or str(who["id"]) == page_id or not comment.get("message")
                    or parse_time(comment["created_time"]).timestamp() < since):
                continue
            parent = (comment.get("parent") or {}).get("id")
            found.append(comment_mention(
                comment_id=str(comment["id"]), post_id=str(post["id"]), parent_id=parent,
                message=str(comment["message"]), sender=who, created=comment["created_time"],
                permalink=str(comment.get("permalink_url") or "")))
    return sorted(found, key=lambda m: m.created_at)


class FacebookPoller:
    """Reads `GET /{page-id}/feed` with nested comments; see the module docstring."""

    network = "facebook"

    def __init__(self, http: httpx.Client, page_id: str, checkpoints: Checkpoints, *,
                 now: Callable[[], float] = time.time) -> None:
        self.http = http
        self.page_id = page_id
        self.checkpoints = checkpoints
        self.now = now

    def poll(self, enqueue: Enqueue) -> int:
        """Queue new comments and visitor posts; returns how many were new."""
        now = self.now()
        until = self.checkpoints.blocked_until(STREAM, now)
        if until is not None:
            log.info("Facebook feed: throttled, next poll after %.0f s", until - now)
            return 0
        stored = self.checkpoints.get(STREAM)
        since = float(stored) if stored else now - FIRST_LOOKBACK_S
        try:
            feed = call(self.http, "GET", f"{self.page_id}/feed",
                        params={"fields": FEED_FIELDS, "limit": POSTS})
        except GraphError as exc:
            if exc.code in THROTTLE_CODES:
                wait = regain_after(exc.headers)
                self.checkpoints.block(STREAM, now + wait, now)
                log.warning("Facebook feed: throttled (code %d); backing off %.0f s", exc.code, wait)
            else:
                log.warning("Facebook feed: poll refused (code %d); checkpoint kept", exc.code)
            return 0
        except Exception as exc:
            log.warning("Facebook feed: poll failed (%s); checkpoint kept", type(exc).__name__)
            return 0
        mentions = mentions_in_feed(feed, self.page_id, since)
        new = sum(1 for m in mentions if enqueue(m))
        if mentions:
            self.checkpoints.advance(STREAM, str(int(mentions[-1].created_at.timestamp())))
        log.info("Facebook feed: %d comments/posts read, %d new", len(mentions), new)
        return new
