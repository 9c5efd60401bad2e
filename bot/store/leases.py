"""Leases: a job that must run once across workers takes one first (`at:lease:<name>`)."""

from __future__ import annotations

import redis

from bot.store import keys


class Leases:
    """Owns `at:lease:*`: a key set NX with an expiry; whoever set it runs the job."""

    def __init__(self, r: redis.Redis) -> None:
        self.r = r

    def take(self, name: str, ttl_ms: int) -> bool:
        """True if this caller now holds `name` for `ttl_ms` (no one else did)."""
        return bool(self.r.set(keys.lease(name), "1", nx=True, px=max(1, ttl_ms)))

    def release(self, name: str) -> None:
        """Give `name` back early (the job failed: let the next tick, on any worker, retry)."""
        self.r.delete(keys.lease(name))
