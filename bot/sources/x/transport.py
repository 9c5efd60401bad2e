"""Point tweepy at another host (`X_API_URL`) by mounting a transport on its session, and count
every call to X (`bot.metrics.api_call`, method `GET /2/users/:id/mentions`)."""

from __future__ import annotations

import re
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from bot.metrics import api_call, outcome_of_status

TWEEPY_HOSTS = ("https://api.twitter.com", "https://api.x.com")
_ID = re.compile(r"/\d{3,}(?=/|$)")  # ids, not the version (`/2/`)


def x_method(method: str, url: str) -> str:
    """`GET /2/users/:id/mentions` for `GET https://…/2/users/1000/mentions?…`."""
    path = "/" + url.split("://", 1)[-1].partition("/")[2].partition("?")[0]
    return f"{method} {_ID.sub('/:id', path)}"


class RedirectAdapter(HTTPAdapter):
    """Rewrites `https://api.twitter.com/...` to `<base>/...` before sending."""

    def __init__(self, base: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base = base.rstrip("/")

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        url = request.url or ""
        if self.base not in TWEEPY_HOSTS:
            for host in TWEEPY_HOSTS:
                if url.startswith(host):
                    request.url = self.base + url[len(host):]
                    break
        method = x_method(request.method or "GET", url)
        try:
            response = super().send(request, *args, **kwargs)
        except Exception:
            api_call("x", method, "unreachable")
            raise
        api_call("x", method, outcome_of_status(response.status_code), response.status_code)
        return response


def redirect_session(session: requests.Session, base: str) -> None:
    """Send every request for the public X hosts on `session` to `base` instead (and count it)."""
    adapter = RedirectAdapter(base)
    for host in TWEEPY_HOSTS:
        session.mount(host, adapter)
