"""One logged-in Bluesky account: a lazily created `atproto.Client`, reused for every call.

`createSession` is rate-limited per account (30 per 5 minutes, 300 a day), so a poller or a
replier logs in once, on its first call, and then lives on that session. The SDK refreshes the
access token by itself shortly before the expiry written in it; when the PDS still answers
`ExpiredToken` (a clock off, a token revoked server-side), `call` refreshes the session (or,
if the refresh token is spent too, logs in again) and retries that call once.

Chat calls go through a clone of the client that sends `atproto-proxy:
did:web:api.bsky.chat#bsky_chat`; the PDS forwards them to the chat service. The clone shares
the session, so a refresh on one is seen by both.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import httpx
from atproto_client import Client
from atproto_client import exceptions as xrpc
from atproto_client.request import Request

from bot.sources.bluesky.errors import LoginRefused, is_expired_token
from bot.sources.bluesky.settings import BlueskySettings
from bot.sources.observed import ObservedTransport, xrpc_method

T = TypeVar("T")

TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class BlueskySession:
    """The brand account's session; `did` and `handle` are known after the first call."""

    def __init__(self, settings: BlueskySettings) -> None:
        self.settings = settings
        self.did = ""
        self.handle = settings.handle
        self._client: Client | None = None
        self._chat: Client | None = None
        self._lock = threading.RLock()

    def call(self, fn: Callable[[Client], T], *, chat: bool = False) -> T:
        """`fn(client)`, logged in; on `ExpiredToken` renew the session and try once more."""
        client = self._chat_client() if chat else self._logged_in()
        try:
            return fn(client)
        except (xrpc.BadRequestError, xrpc.UnauthorizedError) as exc:
            if not is_expired_token(exc):
                raise
        self._renew()
        return fn(client)

    # ----- session ----------------------------------------------------------------------------
    def _logged_in(self) -> Client:
        with self._lock:
            if self._client is None:
                client = Client(base_url=self.settings.service_url, request=Request(
                    timeout=TIMEOUT, transport=ObservedTransport("bluesky", xrpc_method)))
                self._login(client)
                self._client = client
            return self._client

    def _chat_client(self) -> Client:
        client = self._logged_in()
        with self._lock:
            if self._chat is None:
                self._chat = client.with_bsky_chat_proxy()
            return self._chat

    def _login(self, client: Client) -> None:
        """`createSession` with the app password, then learn the account's DID and handle."""
        try:
            profile = client.login(self.settings.handle, self.settings.app_password)
        except xrpc.UnauthorizedError as exc:
            raise LoginRefused from exc
        if profile is None:  # a PDS without app.bsky: ask the session itself
            session = client.com.atproto.server.get_session()
            self.did, self.handle = str(session.did), str(session.handle)
        else:
            self.did, self.handle = str(profile.did), str(profile.handle)

    def _renew(self) -> None:
        """Refresh the session with the refresh token; log in again if that is refused too.

        `_refresh_and_set_session` is the SDK's own refresh (the one its proactive refresh
        runs); it is private, so the pinned SDK version and the refresh test guard it.
        """
        client = self._logged_in()
        with self._lock:
            try:
                client._refresh_and_set_session()
            except (xrpc.BadRequestError, xrpc.UnauthorizedError, xrpc.LoginRequiredError):
                self._login(client)
