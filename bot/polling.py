"""Scheduler jobs that poll the sources into the mention queue.

A source without credentials is skipped with one log line. With several workers, one poll per
source per interval runs: each poll takes a Redis lease for (most of) the interval, so X's rate
limit is spent once, not once per worker. Checkpoints only move forward and the queue drops
duplicates, so a lost lease costs nothing but one extra call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.sources.base import Poller
from bot.sources.checkpoints import Checkpoints
from bot.store import keys

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

Jobs = dict[str, tuple[timedelta, Callable[[], object]]]


def x_poller(rt: Runtime) -> Poller:
    """The X poller from settings: app-only bearer token if set, else the user context."""
    import requests

    from bot.sources.x import make_client
    from bot.sources.x_poll import XPoller

    s = rt.settings
    return XPoller(make_client(s, return_type=requests.Response), Checkpoints(rt.redis, "x"),
                   brand_id=s.x_user_id or None, query=rt.config.sources.x.query,
                   app_auth=bool(s.x_bearer_token))


def facebook_poller(rt: Runtime) -> Poller:
    """The Facebook feed poller from settings."""
    from bot.sources.facebook import make_http
    from bot.sources.facebook_poll import FacebookPoller

    return FacebookPoller(make_http(rt.settings), rt.settings.facebook_page_id,
                          Checkpoints(rt.redis, "facebook"))


def polling_jobs(rt: Runtime) -> Jobs:
    """(interval, job) per configured source; sources without credentials are skipped."""
    jobs: Jobs = {}
    s, sources = rt.settings, rt.config.sources
    if s.x_configured:
        jobs["poll:x"] = (sources.x.poll_every, _job(x_poller(rt), rt, sources.x.poll_every))
    else:
        log.info("X polling skipped: no X_BEARER_TOKEN or OAuth 1.0a secrets")
    if s.facebook_configured:
        jobs["poll:facebook"] = (sources.facebook.poll_every,
                                 _job(facebook_poller(rt), rt, sources.facebook.poll_every))
    else:
        log.info("Facebook polling skipped: no FACEBOOK_PAGE_ID / FACEBOOK_PAGE_TOKEN")
    return jobs


def _job(poller: Poller, rt: Runtime, every: timedelta) -> Callable[[], int]:
    lease = keys.lease(f"poll:{poller.network}")
    hold_ms = max(int(every.total_seconds() * 900), 500)  # 90 % of the interval

    def run() -> int:
        if not rt.redis.set(lease, "1", nx=True, px=hold_ms):
            return 0  # another worker polled this interval
        return poller.poll(rt.queue.enqueue)

    return run
