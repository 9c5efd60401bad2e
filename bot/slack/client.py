"""slack-sdk WebClients with the library's retry handlers, pointed at `SLACK_API_URL`, keeping
their connections open between calls (`bot.slack.keepalive`).

The first handler of every client only watches: slack-sdk shows each attempt's answer (or
error) to its retry handlers in turn, so `CallCounter` sees every call, retries and 429s
included, reports it to `bot.metrics.api_call` and never asks for a retry itself.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryHandler, RetryState
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.metrics import api_call, outcome_of_status
from bot.settings import Settings
from bot.slack.keepalive import KeepAliveWebClient

# Slack's answers when it does not accept our token: the desk cannot post anything.
TOKEN_ERRORS = ("not_authed", "invalid_auth", "account_inactive", "token_revoked",
                "token_expired", "no_permission", "missing_scope", "org_login_required",
                "ekm_access_denied", "team_access_not_granted")
TOKEN_REFUSED = TOKEN_ERRORS[:5]  # the token itself is refused (the others: it lacks a right)


class CallCounter(RetryHandler):
    """A retry handler that never retries: it reports each attempt (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__(max_retry_count=2**31)

    def _can_retry(self, *, state: RetryState, request: HttpRequest,
                   response: HttpResponse | None = None, error: Exception | None = None) -> bool:
        method = request.url.rstrip("/").rsplit("/", 1)[-1]
        if response is None:
            api_call("slack", method, "unreachable")
            return False
        body = response.body or {}
        status = response.status_code
        outcome, detail = outcome_of_status(status), ""
        if status == 200 and body.get("ok") is False:
            detail = str(body.get("error") or "")
            outcome = ("unauthorized" if detail in TOKEN_REFUSED
                       else "rate_limited" if detail == "ratelimited" else "error")
        api_call("slack", method, outcome, status, detail)
        return False


def sdk_logger() -> logging.Logger:
    """slack-sdk's logger, never below INFO. Its debug line holds each request's body (customer
    texts: the desk never logs bodies), and the library tests the logger's own `level`, not
    the effective one: left unset (0), it formatted every request, Block Kit and all, into a
    line nobody logged (issue 15: about 2 % of a card's CPU)."""
    logger = logging.getLogger("slack_sdk.web.base_client")
    if logger.level < logging.INFO:
        logger.setLevel(max(logger.getEffectiveLevel(), logging.INFO))
    return logger


def make_client(settings: Settings, *, safe_to_repeat: bool = True) -> WebClient:
    """A WebClient keeping its connections open (`bot.slack.keepalive`), retrying 429
    (honouring Retry-After); 5xx and connection errors too when
    `safe_to_repeat` (updates, reads). Posts must not be repeated blindly: a 5xx may have posted.
    """
    handlers: list[RetryHandler] = [CallCounter(), RateLimitErrorRetryHandler(max_retry_count=4)]
    if safe_to_repeat:
        handlers += [ServerErrorRetryHandler(max_retry_count=2),
                     ConnectionErrorRetryHandler(max_retry_count=2)]
    return KeepAliveWebClient(
        token=settings.slack_bot_token or None,
        base_url=settings.slack_base_url,
        timeout=10,
        retry_handlers=handlers,
        logger=sdk_logger(),
    )
