"""slack-sdk WebClients with the library's retry handlers, pointed at `SLACK_API_URL`."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.settings import Settings


def make_client(settings: Settings, *, safe_to_repeat: bool = True) -> WebClient:
    """A WebClient retrying 429 (honouring Retry-After); 5xx and connection errors too when
    `safe_to_repeat` (updates, reads). Posts must not be repeated blindly: a 5xx may have posted.
    """
    handlers: list[RetryHandler] = [RateLimitErrorRetryHandler(max_retry_count=4)]
    if safe_to_repeat:
        handlers += [ServerErrorRetryHandler(max_retry_count=2),
                     ConnectionErrorRetryHandler(max_retry_count=2)]
    return WebClient(
        token=settings.slack_bot_token or None,
        base_url=settings.slack_base_url,
        timeout=10,
        retry_handlers=handlers,
    )
