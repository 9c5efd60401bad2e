"""What a failed XRPC call means to the desk: the SDK's exceptions as catalogue `SourceError`s.

The SDK raises `RequestErrorBase` subclasses that carry the HTTP status and the XRPC error body
(`{"error": "InvalidRequest", "message": "…"}`), and lets some httpx transport errors through
unwrapped. Both end up here, so every caller maps failures the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from atproto_client import exceptions as xrpc
from atproto_client.models.common import XrpcError

from bot.errors import NetworkError
from bot.sources.base import SourceError

LABEL = "Bluesky"
CHAT = "Chat"

EXPIRED_TOKEN = "ExpiredToken"
"""The XRPC error a PDS answers (HTTP 400) once the access token's two hours are over."""

CHAT_CLOSED = (
    "recipient has disabled incoming messages",
    "recipient requires incoming messages to come from someone they follow",
    "block",  # "… blocked …": either side blocks the other
)
"""chat.bsky refusals (HTTP 400 `InvalidRequest`) that mean the customer takes no Chat from us."""

NO_CHAT_ACCESS = ("bad token method", "bad token scope")
"""chat.bsky's 401 to an app password created without direct-message access."""


class LoginRefused(Exception):
    """`createSession` refused the handle and app password: a configuration error.

    Kept apart from other failures because Bluesky allows only 300 logins a day per account,
    so whoever polls must stop trying for a while instead of spending them all.
    """


def xrpc_error(exc: BaseException) -> tuple[int, str, str]:
    """(HTTP status, XRPC error name, message) of a failed call; (0, "", "") without a response."""
    if not isinstance(exc, xrpc.RequestErrorBase) or exc.response is None:
        return 0, "", ""
    content = exc.response.content
    if isinstance(content, XrpcError):
        return exc.response.status_code, str(content.error or ""), str(content.message or "")
    return exc.response.status_code, "", ""


def is_expired_token(exc: BaseException) -> bool:
    """The access token expired: refresh the session (or log in again) and retry once."""
    status, error, _ = xrpc_error(exc)
    return status in (400, 401) and error == EXPIRED_TOKEN


def _reset_text(reset: datetime | None) -> str:
    return reset.astimezone(UTC).strftime("%H:%M UTC") if reset else "?"


def bluesky_error(exc: BaseException) -> NetworkError:
    """The `NetworkError` an agent understands for a failed Bluesky call."""
    if isinstance(exc, NetworkError):
        return exc
    if isinstance(exc, LoginRefused):
        return SourceError(LABEL, "source.refused",
                           detail="login refused: check BLUESKY_HANDLE and BLUESKY_APP_PASSWORD")
    if isinstance(exc, xrpc.RateLimitExceededError):
        return SourceError(LABEL, "source.rate_limited", retryable=True,
                           reset=_reset_text(exc.reset_at))
    status, error, message = xrpc_error(exc)
    if status:
        detail = f"{error}: {message}" if error and message else error or message or f"HTTP {status}"
        return SourceError(LABEL, "source.refused", retryable=status >= 500, detail=detail)
    if isinstance(exc, xrpc.NetworkError | httpx.TransportError):
        return SourceError(LABEL, "source.unreachable", retryable=True, detail=type(exc).__name__)
    return SourceError(LABEL, "source.unreachable", detail=type(exc).__name__)


def chat_error(exc: BaseException) -> NetworkError:
    """Like `bluesky_error`, but Chat's refusals become `private_closed` / `no_private`."""
    status, _, message = xrpc_error(exc)
    text = message.lower()
    if status == 400 and any(reason in text for reason in CHAT_CLOSED):
        return SourceError(LABEL, "source.private_closed", channel=CHAT)
    if status in (401, 403) and any(reason in text for reason in NO_CHAT_ACCESS):
        return SourceError(LABEL, "source.no_private", channel=CHAT,
                           detail="BLUESKY_APP_PASSWORD has no access to direct messages "
                                  f"({message})")
    return bluesky_error(exc)
