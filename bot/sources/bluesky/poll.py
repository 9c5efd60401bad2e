"""Poll the brand account's Bluesky notifications for mentions, replies and quotes.

Why a time and not the cursor: `listNotifications` pages from the newest notification
backwards, and its cursor only means "older than this page"; no parameter asks for "newer
than". So every poll starts at the top and pages down to what it saw before, and the checkpoint
is the newest notification time read (`indexedAt`, as epoch microseconds).

Why an overlap: that `indexedAt` is the AppView's `sortAt`, the earlier of the post's own
`createdAt` and the moment it was indexed. A post usually reaches the AppView seconds after its
`createdAt`, so it can appear *below* notifications a poll has already seen. Each poll
therefore reads back to `OVERLAP` before the checkpoint and hands everything in that span to
the queue again; the queue's dedupe (by post URI, 90 days) drops what it already has, so the
desk sees each mention once. A post whose `createdAt` lies more than `OVERLAP` before its
indexing (a backdated post) can be missed; Bluesky lists it that far down too.

The checkpoint moves only after the queue has the mentions, and only when the read reached it
(or, on the first run, which reads just the newest page). A 429 stores a back-off until
`ratelimit-reset`, a refused login one of `LOGIN_BACKOFF_S`; any other failure is logged (its
type, never a post's text or author) and the checkpoint stays, so the next poll reads the same
span again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeAlias

from atproto_client import exceptions as xrpc
from atproto_client import models

from bot.sources.base import Enqueue
from bot.sources.bluesky.errors import LoginRefused
from bot.sources.bluesky.mentions import REASONS, epoch_micros, mention_from_notification, parse_time
from bot.sources.bluesky.session import BlueskySession
from bot.store.checkpoints import Checkpoints

log = logging.getLogger(__name__)

STREAM = "notifications"
PAGE_SIZE = 100  # the lexicon's maximum
MAX_PAGES = 20
DEFAULT_BACKOFF_S = 5 * 60  # Bluesky's rate-limit windows are five minutes
LOGIN_BACKOFF_S = 15 * 60  # a refused login waits: 300 logins a day per account, then 429s
OVERLAP_US = 10 * 60 * 1_000_000  # read again below the checkpoint: see the module docstring

Notification: TypeAlias = models.AppBskyNotificationListNotifications.Notification


class BlueskyPoller:
    """Reads `app.bsky.notification.listNotifications`; see the module docstring."""

    network = "bluesky"

    def __init__(self, session: BlueskySession, checkpoints: Checkpoints, *,
                 now: Callable[[], float] = time.time) -> None:
        self.session = session
        self.checkpoints = checkpoints
        self.now = now

    def poll(self, enqueue: Enqueue) -> int:
        """Queue new mentions, replies and quotes; returns how many were new."""
        now = self.now()
        until = self.checkpoints.blocked_until(STREAM, now)
        if until is not None:
            log.info("Bluesky notifications: backing off, next poll after %.0f s", until - now)
            return 0
        stored = self.checkpoints.get(STREAM)
        since = max(0, int(stored) - OVERLAP_US) if stored else None
        try:
            read = self._read(since)
        except xrpc.RateLimitExceededError as exc:
            reset = exc.reset_at.timestamp() if exc.reset_at else now + DEFAULT_BACKOFF_S
            self.checkpoints.block(STREAM, max(reset, now + 1), now)
            log.warning("Bluesky notifications: 429 rate limit; backing off %.0f s", reset - now)
            return 0
        except LoginRefused:
            self.checkpoints.block(STREAM, now + LOGIN_BACKOFF_S, now)
            log.warning("Bluesky notifications: login refused (check BLUESKY_HANDLE and "
                        "BLUESKY_APP_PASSWORD); next try in %d s", LOGIN_BACKOFF_S)
            return 0
        except Exception as exc:
            log.warning("Bluesky notifications: poll failed (%s); checkpoint kept",
                        type(exc).__name__)
            return 0
        new = 0
        for notification, _ in sorted(read, key=lambda pair: pair[1]):  # oldest first
            if notification.author.did == self.session.did:
                continue  # the brand's own posts are no mentions
            mention = mention_from_notification(notification)
            if mention is not None and enqueue(mention):
                new += 1
        if read:
            self.checkpoints.advance(STREAM, str(max(micros for _, micros in read)))
        log.info("Bluesky notifications: %d read, %d new", len(read), new)
        return new

    def _read(self, since: int | None) -> list[tuple[Notification, int]]:
        """Notifications at or after `since` (µs), each with its `indexedAt` in µs.

        Without a checkpoint (first run) only the newest page is read, not the whole history.
        """
        found: list[tuple[Notification, int]] = []
        cursor: str | None = None
        for _ in range(MAX_PAGES if since is not None else 1):
            page = self._page(cursor)
            for notification in page.notifications:
                indexed = parse_time(notification.indexed_at)
                if indexed is None:
                    continue
                micros = epoch_micros(indexed)
                if since is not None and micros < since:
                    return found  # reached what the last poll saw, and the overlap
                found.append((notification, micros))
            cursor = page.cursor
            if not cursor or not page.notifications:
                return found
        if since is not None:
            log.warning("Bluesky notifications: more than %d pages new; older ones may be missed",
                        MAX_PAGES)
        return found

    def _page(self, cursor: str | None) -> models.AppBskyNotificationListNotifications.Response:
        """One page of mention, reply and quote notifications, newest first."""
        params = models.AppBskyNotificationListNotifications.Params(
            limit=PAGE_SIZE, reasons=list(REASONS), cursor=cursor)
        return self.session.call(lambda client: client.app.bsky.notification.list_notifications(params))
