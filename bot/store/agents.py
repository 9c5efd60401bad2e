"""Agents' Kürzel set with `/kuerzel`, unique across the team."""

from __future__ import annotations

from typing import cast

import redis

from bot.store import keys

_SET = """
local owner = redis.call('HGET', KEYS[2], ARGV[2])
if owner and owner ~= ARGV[1] then return owner end
local old = redis.call('HGET', KEYS[1], ARGV[1])
if old then redis.call('HDEL', KEYS[2], old) end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
return ''
"""


class KuerzelStore:
    """Owns `at:kuerzel:user` and `at:kuerzel:owner`."""

    def __init__(self, r: redis.Redis) -> None:
        self.r = r
        self._set = r.register_script(_SET)

    def get(self, user: str) -> str | None:
        v = self.r.hget(keys.KUERZEL_BY_USER, user)
        return str(v) if v else None

    def all(self) -> dict[str, str]:
        """Every Kürzel set with `/kuerzel`, by user id."""
        return {str(u): str(k) for u, k in cast(
            "dict[str, str]", self.r.hgetall(keys.KUERZEL_BY_USER)).items()}

    def set(self, user: str, kuerzel: str) -> str:
        """Set `user`'s Kürzel; returns "" on success, else the user id who already has it."""
        return str(self._set(keys=[keys.KUERZEL_BY_USER, keys.USER_BY_KUERZEL],
                             args=[user, kuerzel.upper()]))
