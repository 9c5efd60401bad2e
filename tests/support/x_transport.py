"""Send a ``tweepy.Client``'s requests to another host (the X emulator) without patching tweepy.

tweepy builds every URL from ``https://api.twitter.com``; a transport adapter mounted on the
client's ``requests.Session`` rewrites scheme, host and port just before sending. OAuth 1.0a
signatures stay computed over the public URL, as X would check them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

__all__ = ["PUBLIC_HOSTS", "RedirectAdapter", "redirect_session"]

PUBLIC_HOSTS = ("https://api.twitter.com/", "https://api.x.com/")


class RedirectAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` that sends each request to ``base_url``'s scheme, host and port."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        target = urlsplit(base_url)
        self._scheme, self._netloc = target.scheme, target.netloc

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        parts = urlsplit(request.url or "")
        request.url = urlunsplit((self._scheme, self._netloc, parts.path, parts.query, ""))
        return super().send(request, **kwargs)


def redirect_session(session: requests.Session, base_url: str) -> requests.Session:
    """Mount a :class:`RedirectAdapter` for X's public hosts on ``session`` and return it."""
    adapter = RedirectAdapter(base_url)
    for prefix in PUBLIC_HOSTS:
        session.mount(prefix, adapter)
    return session
