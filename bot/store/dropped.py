"""Mentions triage did not post (issue 14): the recall safety net and the praise digest.

Owns `at:dropped` (HASH `<network>:<mention id>` -> JSON: mention, sentiment, score, model)
and `at:dropped:order` (ZSET -> when seen). Keeps the latest `KEEP`; App Home lists them with
"doch ein Fall → Karte", which takes one out atomically; the daily "Lob" digest reads the
positive ones of the day. Erasure (`bot.store.privacy`) removes a customer's entries.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import cast

import redis

from bot.errors import MentionError
from bot.models import Mention, parse_mention
from bot.store import keys

KEEP = 2000  # a day of praise on a busy desk; App Home shows the newest few

_ADD = """
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
local extra = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
if extra > 0 then
  local old = redis.call('ZRANGE', KEYS[2], 0, extra - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, extra - 1)
  redis.call('HDEL', KEYS[1], unpack(old))
end
return 1
"""
_TAKE = """
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return false end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return v
"""


@dataclass(frozen=True)
class Dropped:
    """One mention triage judged neutral or positive."""

    key: str
    mention: Mention
    sentiment: str
    score: float
    model: str
    seen: float  # epoch s


class DroppedMentions:
    """Add, list and take back the mentions triage did not post."""

    def __init__(self, r: redis.Redis) -> None:
        self.r = r
        self._add = r.register_script(_ADD)
        self._take = r.register_script(_TAKE)

    def add(self, mention: Mention, sentiment: str, score: float, model: str,
            seen: float) -> None:
        value = json.dumps({"mention": json.loads(mention.to_json()), "sentiment": sentiment,
                            "score": round(score, 4), "model": model, "seen": seen},
                           ensure_ascii=False)
        self._add(keys=[keys.DROPPED, keys.DROPPED_ORDER], args=[mention.key, value, seen, KEEP])

    def latest(self, count: int) -> list[Dropped]:
        """The newest `count`, newest first."""
        return self._read(cast("list[str]", self.r.zrevrange(keys.DROPPED_ORDER, 0, count - 1)))

    def since(self, start: float, end: float) -> list[Dropped]:
        """Those seen in [start, end), oldest first."""
        return self._read(cast("list[str]", self.r.zrangebyscore(keys.DROPPED_ORDER, start,
                                                                  f"({end}")))

    def take(self, key: str) -> Dropped | None:
        """Remove one (it becomes a card) and return it; None if it is gone."""
        raw = cast("str | None", self._take(keys=[keys.DROPPED, keys.DROPPED_ORDER], args=[key]))
        return _decode(key, raw) if raw else None

    def _read(self, names: list[str]) -> list[Dropped]:
        if not names:
            return []
        raws = cast("list[str | None]", self.r.hmget(keys.DROPPED, names))
        return [d for name, raw in zip(names, raws, strict=True)
                if raw and (d := _decode(name, raw)) is not None]


def _decode(key: str, raw: str) -> Dropped | None:
    try:
        d = json.loads(raw)
        return Dropped(key, parse_mention(d["mention"]), str(d["sentiment"]),
                       float(d["score"]), str(d.get("model", "")), float(d["seen"]))
    except (ValueError, KeyError, TypeError, MentionError):
        return None
