"""A Bluesky notification (mention, reply, quote) as a `Mention`; post URLs for bsky.app.

The mention's `id` is the post's at:// URI (unique, so the queue's dedupe key), its
`conversation_id` the thread root's URI (its own when it starts the thread) and `in_reply_to`
the parent's URI. A reply needs the root's and parent's CIDs as well; `replies` reads them from
the post itself when answering, so nothing beyond the URIs is carried here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from atproto_client import models

from bot.models import Author, Mention

NETWORK = "bluesky"
REASONS = ("mention", "reply", "quote")
"""Notification reasons that are someone talking to or about the brand in a post."""
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
INVALID_HANDLE = "handle.invalid"  # what the AppView shows when a handle fails verification


def parse_time(value: str) -> datetime | None:
    """An AT Protocol datetime (`2026-11-25T09:00:00.000Z`), or None if it is not a valid one."""
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return None
    return when if when.tzinfo is not None else None


def epoch_micros(when: datetime) -> int:
    """Whole microseconds since the epoch: a checkpoint that keeps the AppView's precision."""
    return (when - EPOCH) // timedelta(microseconds=1)


def post_url(uri: str, handle: str) -> str:
    """`https://bsky.app/profile/<handle>/post/<rkey>`; the DID stands in for an invalid handle."""
    parts = uri.removeprefix("at://").split("/")
    if len(parts) != 3:
        return ""
    repo, _, rkey = parts
    who = handle if handle and handle != INVALID_HANDLE else repo
    return f"https://bsky.app/profile/{who}/post/{rkey}"


def mention_from_notification(
    notification: models.AppBskyNotificationListNotifications.Notification,
) -> Mention | None:
    """The post behind a mention/reply/quote notification; None for anything else."""
    record = notification.record
    if notification.reason not in REASONS or not isinstance(record, models.AppBskyFeedPost.Record):
        return None
    indexed = parse_time(notification.indexed_at)
    if indexed is None:
        return None
    # The notification's indexedAt is already the AppView's sortAt, the earlier of createdAt
    # and indexing; a client clock running ahead must not start the response timer late.
    created = parse_time(record.created_at)
    created_at = min(created, indexed) if created else indexed
    author = notification.author
    reply = record.reply
    return Mention(
        network=NETWORK,
        id=notification.uri,
        text=record.text,
        author=Author(id=author.did, handle=author.handle, name=author.display_name or ""),
        created_at=created_at,
        url=post_url(notification.uri, author.handle),
        conversation_id=reply.root.uri if reply else notification.uri,
        in_reply_to=reply.parent.uri if reply else "",
    )
