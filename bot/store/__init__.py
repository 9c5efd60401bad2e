"""Redis access: a real server from `REDIS_URL`, or an embedded fakeredis when it is unset."""

from __future__ import annotations

from typing import TYPE_CHECKING

import redis

from bot.store.audit import AuditLog
from bot.store.items import ItemStore
from bot.store.queue import MentionQueue

if TYPE_CHECKING:
    import fakeredis

__all__ = ["AuditLog", "ItemStore", "MentionQueue", "connect"]

_embedded_server: fakeredis.FakeServer | None = None


def connect(url: str = "") -> redis.Redis:
    """Connect to `url`; with no URL, an in-process Redis shared by this process."""
    global _embedded_server
    if url:
        try:
            return redis.Redis.from_url(url, decode_responses=True, health_check_interval=30)
        except ValueError as exc:
            from bot.errors import ConfigError

            raise ConfigError("REDIS_URL", f"{exc} (e.g. redis://localhost:6379/0)") from None
    import fakeredis

    if _embedded_server is None:
        _embedded_server = fakeredis.FakeServer()
    return fakeredis.FakeRedis(server=_embedded_server, decode_responses=True)
