"""Per-channel pacing shared by every process: at most one post per channel per interval."""

from __future__ import annotations

import time
from collections.abc import Callable

import redis

from bot.store import keys


class RedisPacer:
    """Owns `at:pace:*`. `wait(channel)` returns once this process may post into `channel`."""

    def __init__(self, r: redis.Redis, interval_ms: int = 1000,
                 sleep: Callable[[float], None] = time.sleep, max_wait_s: float = 60.0) -> None:
        self.r = r
        self.interval_ms = interval_ms
        self.sleep = sleep
        self.max_wait_s = max_wait_s

    def wait(self, channel: str) -> None:
        waited = 0.0
        while not self.r.set(keys.pace(channel), "1", nx=True, px=self.interval_ms):
            if waited >= self.max_wait_s:
                return  # never block forever: Slack's own 429 handling takes over
            left = self.r.pttl(keys.pace(channel))
            step = max(0.01, min(left / 1000 if left > 0 else 0.05, 1.0))
            self.sleep(step)
            waited += step
