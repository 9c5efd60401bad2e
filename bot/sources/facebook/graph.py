"""Facebook (Graph API over httpx): comment replies and private replies. Reading: `poll`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bot.errors import NetworkError
from bot.models import Mention
from bot.sources.base import Posted, SourceError
from bot.sources.facebook.settings import FacebookSettings
from bot.sources.observed import ObservedTransport, graph_method, graph_outcome

NETWORK = "Facebook"
PRIVATE_REPLY_WINDOW = timedelta(days=7)


def make_http(settings: FacebookSettings) -> httpx.Client:
    """An httpx client for the Graph API at `FACEBOOK_GRAPH_URL`, with the page token."""
    return httpx.Client(
        base_url=settings.graph_url.rstrip("/") + "/",
        timeout=httpx.Timeout(10.0, connect=5.0),
        headers={"Authorization": f"Bearer {settings.page_token}"},
        transport=ObservedTransport("graph", graph_method, graph_outcome),
    )


def graph_error(resp: httpx.Response) -> dict[str, Any]:
    """Graph's `error` object (`message`, `code`, …), or a stand-in with the HTTP status."""
    try:
        err = resp.json().get("error")
    except ValueError:
        err = None
    return err if isinstance(err, dict) else {"message": f"HTTP {resp.status_code}"}


class GraphError(SourceError):
    """Graph refused a call; `code` is Graph's error code (10900 private reply, 32 throttled)."""

    def __init__(self, err: dict[str, Any], resp: httpx.Response) -> None:
        message = str(err.get("message") or f"HTTP {resp.status_code}")
        super().__init__(NETWORK, "source.refused", retryable=resp.status_code >= 500
                         or bool(err.get("is_transient")), detail=message)
        self.code = int(err.get("code") or 0)
        self.message = message
        self.headers = resp.headers


def call(http: httpx.Client, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    """One Graph request; a transport failure or Graph error becomes a `NetworkError`."""
    try:
        resp = http.request(method, path, **kwargs)
    except httpx.HTTPError as exc:
        raise SourceError(NETWORK, "source.unreachable", retryable=True,
                          detail=type(exc).__name__) from exc
    if resp.status_code >= 400:
        err = graph_error(resp)
        raise GraphError(err, resp)
    return dict(resp.json())


class FacebookReplies:
    """The Facebook page: reply to a comment, reply privately within 7 days."""

    network = "facebook"

    def __init__(self, http: httpx.Client, page_id: str,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.http = http
        self.page_id = page_id
        self.now = now

    def reply(self, mention: Mention, text: str) -> Posted:
        """`POST /{comment-id}/comments` (for a visitor post: `/{post-id}/comments`)."""
        data = call(self.http, "POST", f"{mention.id}/comments", data={"message": text})
        return Posted(str(data["id"]), f"https://www.facebook.com/{data['id']}")

    def private_reply(self, mention: Mention, text: str) -> Posted:
        """`POST /{page-id}/messages` with `recipient.comment_id` (or `post_id` for a post).

        One per comment, within 7 days of it: refused before calling when the window passed.
        """
        deadline = mention.created_at + PRIVATE_REPLY_WINDOW
        if self.now() > deadline:
            raise SourceError(NETWORK, "source.fb_private_window",
                              deadline=deadline.astimezone(UTC).strftime("%d.%m.%Y %H:%M UTC"))
        is_post = mention.id == mention.conversation_id
        recipient = {"post_id" if is_post else "comment_id": mention.id}
        try:
            data = call(self.http, "POST", f"{self.page_id}/messages",
                        json={"recipient": recipient, "message": {"text": text}})
        except GraphError as exc:
            raise _private_reply_error(exc, deadline) from exc
        return Posted(str(data.get("message_id", "")))


def _private_reply_error(exc: GraphError, deadline: datetime) -> NetworkError:
    """Graph's error 10900 in the words of the catalogue."""
    if exc.code == 10900 and "7 days" in exc.message:
        return SourceError(NETWORK, "source.fb_private_window",
                           deadline=deadline.astimezone(UTC).strftime("%d.%m.%Y %H:%M UTC"))
    if exc.code == 10900 and "already replied" in exc.message.lower():
        return SourceError(NETWORK, "source.fb_private_once")
    return exc
