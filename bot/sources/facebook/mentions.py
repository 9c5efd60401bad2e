"""Normalise Facebook page-feed objects (webhook changes and Graph reads) to `Mention`s.

Conversation rules: a comment's conversation is its post (`conversation_id` = post id) and it
answers its parent (`in_reply_to` = parent comment id, or the post id for a top-level comment).
A visitor post is its own conversation. The page's own comments and posts are never mentions.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.models import Author, Mention

POST_ITEMS = ("post", "status", "photo", "video", "share")


def parse_time(value: Any) -> datetime:
    """Graph's `created_time`: epoch seconds (webhooks) or `2026-11-24T09:15:00+0000` (reads)."""
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    text = str(value)
    if text.isdigit():
        return datetime.fromtimestamp(int(text), UTC)
    return datetime.strptime(text.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S%z")


def _author(sender: dict[str, Any]) -> Author:
    name = str(sender.get("name") or "")
    return Author(id=str(sender["id"]), handle=name or str(sender["id"]), name=name)


def comment_mention(*, comment_id: str, post_id: str, parent_id: str | None, message: str,
                    sender: dict[str, Any], created: Any, permalink: str = "") -> Mention:
    """A comment on a page post (top-level or a reply under another comment)."""
    return Mention(
        network="facebook", id=comment_id, text=message, author=_author(sender),
        created_at=parse_time(created),
        url=permalink or f"https://www.facebook.com/{post_id}?comment_id={comment_id}",
        conversation_id=post_id, in_reply_to=parent_id or post_id,
    )


def post_mention(*, post_id: str, message: str, sender: dict[str, Any], created: Any,
                 permalink: str = "") -> Mention:
    """A visitor post on the page's feed: its own conversation."""
    return Mention(
        network="facebook", id=post_id, text=message, author=_author(sender),
        created_at=parse_time(created), url=permalink or f"https://www.facebook.com/{post_id}",
        conversation_id=post_id,
    )


def mentions_from_change(value: dict[str, Any], page_id: str) -> list[Mention]:
    """The mention in one `feed` change (`item` comment or post, `verb` add), if any."""
    sender = value.get("from") or {}
    message = value.get("message")
    if value.get("verb") != "add" or not sender.get("id") or not message:
        return []
    if str(sender["id"]) == page_id:
        return []  # the page's own reply
    item = value.get("item")
    created = value.get("created_time") or 0
    if item == "comment" and value.get("comment_id") and value.get("post_id"):
        post_id = str(value["post_id"])
        parent = str(value.get("parent_id") or post_id)
        return [comment_mention(comment_id=str(value["comment_id"]), post_id=post_id,
                                parent_id=parent, message=str(message), sender=sender,
                                created=created)]
    if item in POST_ITEMS and value.get("post_id"):
        return [post_mention(post_id=str(value["post_id"]), message=str(message), sender=sender,
                             created=created)]
    return []


def mentions_from_delivery(delivery: Any, page_id: str) -> list[Mention]:
    """Every mention in one webhook delivery (`object: page`, `entry[].changes[]` of `feed`)."""
    if not isinstance(delivery, dict) or delivery.get("object") != "page":
        return []
    found: list[Mention] = []
    for entry in delivery.get("entry") or []:
        if not isinstance(entry, dict) or (page_id and str(entry.get("id")) != page_id):
            continue
        for change in entry.get("changes") or []:
            if isinstance(change, dict) and change.get("field") == "feed" and isinstance(
                    change.get("value"), dict):
                found += mentions_from_change(change["value"], page_id)
    return found
