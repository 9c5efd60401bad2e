"""Posting cards and thread lines to Slack, exactly once, at Slack's pace.

`chat.postMessage` has no idempotency key, so a post that failed with a 5xx or a timeout may
still have landed. Before posting again we look for our own card in the channel by the item id
carried in the message metadata, and adopt it if found.

Every post (card, thread line, plain message) is made inside the channel's slot
(`Pacer.slot`, in production `bot.store.pacing.RedisPacer`): one post per channel in flight
across all processes, the next one ≥ 1 s after Slack answered the previous one, in arrival
order. The look for an earlier attempt's card happens inside the slot too, so a second worker
retrying the same card sees the first one's post once it has landed instead of racing it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.cards import METADATA_EVENT

log = logging.getLogger(__name__)

# Slack refused the blocks themselves: a plain-text card is better than no card.
BLOCK_ERRORS = ("invalid_blocks", "invalid_blocks_format", "msg_too_long", "msg_blocks_too_long")
# Looking for a card posted before (`find_card`): this many newest messages, in pages (Slack's
# conversations.history answers at most 200 per page; Tier 3, about 50 calls a minute).
HISTORY_PAGE = 200
LOOK_BACK = 1000


class Pacer(Protocol):
    def slot(self, channel: str) -> AbstractContextManager[None]:
        """Wait for `channel`'s turn; post inside; leaving starts the channel's interval."""


class SlackPort(Protocol):
    """What the desk needs from Slack."""

    def post_card(self, item: int, channel: str, blocks: list[dict[str, Any]], text: str,
                  metadata: dict[str, Any], *, since: float | None = None) -> str: ...

    def update_card(self, channel: str, ts: str, blocks: list[dict[str, Any]], text: str) -> None:
        ...

    def post_thread(self, channel: str, thread_ts: str, text: str | Callable[[], str]) -> str:
        """Post into a card's thread; a callable `text` is rendered when the post goes out."""
        ...

    def publish_home(self, user: str, view: dict[str, Any]) -> None: ...

    def post_message(self, channel: str, text: str) -> str: ...

    def upload_file(self, channel: str, thread_ts: str, filename: str, data: bytes, *,
                    title: str, alt_text: str) -> str:
        """Share a file into a thread; returns its file id."""
        ...


class WebSlack:
    """The real Slack Web API (or its emulator at `SLACK_API_URL`)."""

    def __init__(self, client: WebClient, post_client: WebClient, pacer: Pacer,
                 sleep: Callable[[float], None] = time.sleep, attempts: int = 3) -> None:
        self.client = client          # retries 429, 5xx, connection errors: safe calls
        self.post_client = post_client  # retries 429 only
        self.pacer = pacer
        self.sleep = sleep
        self.attempts = attempts

    def find_card(self, item: int, channel: str, since: float) -> str | None:
        """ts of the card for `item` among the channel's latest messages, if any.

        `since` (epoch s) is when the first attempt began; we page back through the newest
        `LOOK_BACK` messages rather than filtering by it, so clock skew between us and Slack
        cannot hide the card (a busy channel takes hundreds of cards while a failover or a
        crashed worker's lease passes).
        """
        cursor = ""
        for _ in range(LOOK_BACK // HISTORY_PAGE):
            resp = self.client.conversations_history(
                channel=channel, include_all_metadata=True, limit=HISTORY_PAGE,
                cursor=cursor or None)
            messages: list[dict[str, Any]] = resp.get("messages", [])
            for msg in messages:
                meta = msg.get("metadata") or {}
                if (meta.get("event_type") == METADATA_EVENT
                        and str(meta.get("event_payload", {}).get("item")) == str(item)):
                    return str(msg["ts"])
            cursor = str((resp.get("response_metadata") or {}).get("next_cursor") or "")
            if not resp.get("has_more") or not cursor:
                return None
        return None

    def post_card(self, item: int, channel: str, blocks: list[dict[str, Any]], text: str,
                  metadata: dict[str, Any], *, since: float | None = None) -> str:
        """Post the card once. `since`: an earlier attempt's time, so look before posting."""
        last: Exception | None = None
        for attempt in range(self.attempts):
            with self.pacer.slot(channel):
                if since is not None:
                    found = self._look_for(item, channel, since)
                    if found:
                        log.info("card for #%s already posted, adopting ts", item)
                        return found
                since = time.time() if since is None else since
                try:
                    resp = self.post_client.chat_postMessage(
                        channel=channel, text=text, blocks=blocks or None, metadata=metadata,
                        unfurl_links=False, unfurl_media=False,
                    )
                    return str(resp["ts"])
                except SlackApiError as exc:
                    status = exc.response.status_code
                    if status < 500 and exc.response.get("error") in BLOCK_ERRORS and blocks:
                        log.warning("card #%s refused (%s): posting it as plain text", item,
                                    exc.response.get("error"))
                        blocks = []  # the text fallback still carries the item number
                        continue
                    if status < 500:
                        raise
                    last = exc
                except OSError as exc:  # timeouts, resets: the post may or may not have landed
                    last = exc
            self.sleep(min(2 ** attempt, 8))
        assert last is not None
        raise last

    def _look_for(self, item: int, channel: str, since: float) -> str | None:
        """`find_card`, or None when Slack will not let us look."""
        try:
            return self.find_card(item, channel, since)
        except SlackApiError as exc:  # e.g. no channels:history scope: post rather than lose
            log.warning("could not look for card #%s: %s", item, exc.response.get("error"))
            return None

    def update_card(self, channel: str, ts: str, blocks: list[dict[str, Any]], text: str) -> None:
        self.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)

    def post_thread(self, channel: str, thread_ts: str, text: str | Callable[[], str]) -> str:
        with self.pacer.slot(channel):
            resp = self.post_client.chat_postMessage(
                channel=channel, thread_ts=thread_ts, text=text() if callable(text) else text,
                unfurl_links=False,
                unfurl_media=False,
            )
        return str(resp["ts"])

    def publish_home(self, user: str, view: dict[str, Any]) -> None:
        self.client.views_publish(user_id=user, view=view)

    def post_message(self, channel: str, text: str) -> str:
        """A plain message (summary, lead pings outside a thread)."""
        with self.pacer.slot(channel):
            return str(self.post_client.chat_postMessage(channel=channel, text=text)["ts"])

    def upload_file(self, channel: str, thread_ts: str, filename: str, data: bytes, *,
                    title: str, alt_text: str) -> str:
        """Slack's external upload flow (`files_upload_v2`: files.getUploadURLExternal, the
        bytes to the URL it gives, files.completeUploadExternal into the thread). Needs the
        `files:write` scope. Sharing into the thread posts there, so it waits for the
        channel's slot like any post; only 429s are retried (a repeat would share twice)."""
        with self.pacer.slot(channel):
            resp = self.post_client.files_upload_v2(
                channel=channel, thread_ts=thread_ts, filename=filename, file=data,
                title=title, alt_txt=alt_text)
        return str(resp["file"]["id"])
