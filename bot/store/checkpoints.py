"""Polling state in Redis: how far a source has read, and until when it must not ask again.

Checkpoints only move forward (two workers polling at once cannot move one back), and a
back-off is a key that expires at the platform's reset time, so a restart keeps both.
"""

from __future__ import annotations

import math
from typing import cast

import redis

from bot.store import keys

# Set KEYS[1] to ARGV[1] unless it already holds a larger value. Values are decimal strings
# compared by length, then lexically: X ids exceed the 2^53 that Lua's numbers hold exactly.
_ADVANCE = """
local old = redis.call('GET', KEYS[1])
local new = ARGV[1]
if old and (#old > #new or (#old == #new and old >= new)) then
  return 0
end
redis.call('SET', KEYS[1], new)
return 1
"""


class Checkpoints:
    """Owns `at:checkpoint:<source>:*` and `at:backoff:<source>:*` for one source."""

    def __init__(self, r: redis.Redis, source: str) -> None:
        self.r = r
        self.source = source
        self._advance = r.register_script(_ADVANCE)

    def get(self, name: str) -> str | None:
        """The stored checkpoint (a decimal string), or None before the first poll."""
        value = cast("str | bytes | None", self.r.get(keys.checkpoint(self.source, name)))
        return None if value is None else str(value if isinstance(value, str) else value.decode())

    def advance(self, name: str, value: str) -> bool:
        """Move the checkpoint to `value` (a non-negative decimal string) if that is forward."""
        if not value.isdigit():
            raise ValueError(f"checkpoint {value!r} must be a non-negative whole number")
        return bool(self._advance(keys=[keys.checkpoint(self.source, name)],
                                  args=[value.lstrip("0") or "0"]))

    def blocked_until(self, name: str, now: float) -> float | None:
        """The epoch second until which `name` is rate-limited, or None if it may be called."""
        value = cast("str | None", self.r.get(keys.source_backoff(self.source, name)))
        if value is None:
            return None
        until = float(value)
        return until if until > now else None

    def block(self, name: str, until: float, now: float) -> None:
        """Do not call `name` before `until` (epoch seconds); the key expires by itself."""
        ttl = max(1, math.ceil(until - now))
        self.r.set(keys.source_backoff(self.source, name), f"{until:.0f}", ex=ttl)
