"""Point tweepy at another host (`X_API_URL`) by mounting a transport on its session."""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter

TWEEPY_HOSTS = ("https://api.twitter.com", "https://api.x.com")


class RedirectAdapter(HTTPAdapter):
    """Rewrites `https://api.twitter.com/...` to `<base>/...` before sending."""

    def __init__(self, base: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base = base.rstrip("/")

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        url = request.url or ""
        for host in TWEEPY_HOSTS:
            if url.startswith(host):
                request.url = self.base + url[len(host):]
                break
        return super().send(request, *args, **kwargs)


def redirect_session(session: requests.Session, base: str) -> None:
    """Send every request for the public X hosts on `session` to `base` instead."""
    if base.rstrip("/") in TWEEPY_HOSTS:
        return
    adapter = RedirectAdapter(base)
    for host in TWEEPY_HOSTS:
        session.mount(host, adapter)
