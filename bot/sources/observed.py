"""An httpx transport that reports every API call to `bot.metrics.api_call` (Graph, Bluesky).

The method label is the endpoint with ids replaced (`GET :id/feed`, Bluesky's XRPC method
name), so the label set stays small. Graph signals an expired or revoked token with error
code 190 (or 102) in the body of a 400, so an error body is read to tell `unauthorized`
from any other client error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import httpx

from bot.metrics import api_call, outcome_of_status

GRAPH_TOKEN_CODES = (190, 102)  # OAuthException: invalid, expired or revoked access token
_ID = re.compile(r"^(v\d+\.\d+|\d[\d_]*|[0-9a-f]{16,})$")


def graph_method(request: httpx.Request) -> str:
    """`GET :id/feed` for `GET /v21.0/1234/feed`: version and ids left out."""
    parts = [p for p in request.url.path.split("/") if p]
    if parts and parts[0].startswith("v") and _ID.match(parts[0]):
        parts = parts[1:]
    return f"{request.method} " + "/".join(":id" if _ID.match(p) else p for p in parts)


def xrpc_method(request: httpx.Request) -> str:
    """The XRPC method (`app.bsky.notification.listNotifications`) of an AT Protocol call."""
    path = request.url.path
    return path.rsplit("/xrpc/", 1)[-1] if "/xrpc/" in path else f"{request.method} {path}"


def graph_outcome(response: httpx.Response) -> tuple[str, str]:
    """(outcome, Graph error code) of a Graph answer; reads the body of an error only."""
    outcome = outcome_of_status(response.status_code)
    if response.status_code < 400:
        return outcome, ""
    try:
        response.read()
        error = json.loads(response.content or b"{}").get("error") or {}
        code = int(error.get("code") or 0)
    except (ValueError, AttributeError, TypeError, httpx.HTTPError):
        return outcome, ""
    if code in GRAPH_TOKEN_CODES:
        return "unauthorized", str(code)
    return outcome, str(code) if code else ""


def status_outcome(response: httpx.Response) -> tuple[str, str]:
    return outcome_of_status(response.status_code), ""


class ObservedTransport(httpx.BaseTransport):
    """Wraps an httpx transport; reports each request's outcome (see the module docstring)."""

    def __init__(self, api: str, method: Callable[[httpx.Request], str],
                 outcome: Callable[[httpx.Response], tuple[str, str]] = status_outcome,
                 inner: httpx.BaseTransport | None = None) -> None:
        self.api, self.method, self.outcome = api, method, outcome
        self.inner = inner or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            response = self.inner.handle_request(request)
        except Exception:
            api_call(self.api, self.method(request), "unreachable")
            raise
        outcome, detail = self.outcome(response)
        api_call(self.api, self.method(request), outcome, response.status_code, detail)
        return response

    def close(self) -> None:
        self.inner.close()
