"""Webhook deliveries already ingested (networks retry a delivery: Meta for up to 36 h)."""

from __future__ import annotations

import hashlib

import redis

from bot.store import keys


class DeliveryLedger:
    """Owns `at:webhook:*`: one key per delivery body digest, expiring after the retry window."""

    def __init__(self, r: redis.Redis) -> None:
        self.r = r

    @staticmethod
    def digest(body: bytes) -> str:
        return hashlib.sha256(body).hexdigest()

    def seen(self, body: bytes) -> bool:
        """True when this exact delivery was ingested before."""
        return bool(self.r.exists(keys.webhook_delivery(self.digest(body))))

    def mark(self, body: bytes, ttl_s: int) -> None:
        """Record the delivery as ingested for `ttl_s` seconds."""
        self.r.set(keys.webhook_delivery(self.digest(body)), "1", ex=ttl_s)
