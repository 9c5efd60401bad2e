"""Redis access: a real server from `REDIS_URL`, or an embedded fakeredis when it is unset."""

from __future__ import annotations

import redis

from bot.store.audit import AuditLog
from bot.store.items import ItemStore
from bot.store.queue import MentionQueue

__all__ = ["AuditLog", "ItemStore", "MentionQueue", "connect"]


def connect(url: str = "", *, mode: str = "single", sentinels: str = "", master: str = "",
            password: str = "") -> redis.Redis:
    """Connect to `url`; with no URL, an in-process Redis shared by this process. Sentinel
    and Cluster: `mode`, `sentinels`, `master`, `password` (see `bot.store.redis_client`)."""
    from bot.store.redis_client import connect as build

    return build(url, mode=mode, sentinels=sentinels, master=master, password=password)
