"""Incidents in Redis: which items belong to which incident, and the open ones per channel.

An incident is an item itself (`at:item:<n>` with `kind=incident`, its number from the same
counter: see `ItemStore.create_incident`); this store owns what links items to it:
- `at:incident:<n>:members` ZSET member number -> joined (epoch s); each member's hash carries
  `incident=<n>` (set and removed in the same Lua step as the ZSET entry).
- `at:incidents:<channel>` ZSET open incident -> opened (epoch s).
- `at:recent:<channel>` ZSET single open negative items -> first seen: the candidates a storm
  is looked for in (pruned by time, so it stays small).
- `at:lock:storm:<channel>`: one worker at a time opens or joins incidents in a channel.
"""

from __future__ import annotations

from typing import cast

import redis

from bot.store import keys, riding

# KEYS[1] members zset, KEYS[2] recent zset; ARGV[1] incident number, ARGV[2] item key prefix,
# then pairs (member number, joined ts). Members already in another incident are skipped.
_JOIN = """
local added = 0
for i = 3, #ARGV, 2 do
  local item = ARGV[2] .. ARGV[i]
  local current = redis.call('HGET', item, 'incident')
  if redis.call('EXISTS', item) == 1 and (not current or current == '') then
    redis.call('HSET', item, 'incident', ARGV[1])
    redis.call('ZADD', KEYS[1], ARGV[i + 1], ARGV[i])
    redis.call('ZREM', KEYS[2], ARGV[i])
    added = added + 1
  end
end
return added
"""

# KEYS[1] members zset, KEYS[2] member item; ARGV[1] incident number
_LEAVE = """
if redis.call('HGET', KEYS[2], 'incident') ~= ARGV[1] then return 0 end
redis.call('HDEL', KEYS[2], 'incident')
redis.call('ZREM', KEYS[1], ARGV[2])
return 1
"""


class IncidentStore:
    """Owns `at:incident:*:members`, `at:incidents:*`, `at:recent:*`, `at:lock:storm:*`."""

    def __init__(self, r: redis.Redis) -> None:
        self.r = r
        self._join = r.register_script(_JOIN)
        self._leave = r.register_script(_LEAVE)

    def opened(self, number: int, channel: str, at: float) -> None:
        self.r.zadd(keys.incidents_open(channel), {str(number): at})

    def closed(self, number: int, channel: str) -> None:
        self.r.zrem(keys.incidents_open(channel), str(number))

    def open_in(self, channel: str) -> list[int]:
        """The channel's open incidents, newest first (the answer `open_in_soon` fetched ahead,
        if it did)."""
        key = keys.incidents_open(channel)
        found = riding.take(key, "open_in")
        if found is riding.MISSING:
            found = self.r.zrevrange(key, 0, -1)
        return [int(n) for n in cast("list[str]", found)]

    def open_in_soon(self, channel: str) -> None:
        """`open_in` will be asked for: fetch it with the next round trip (`bot.store.riding`)."""
        key = keys.incidents_open(channel)
        riding.soon(key, "open_in", lambda pipe: pipe.zrevrange(key, 0, -1))

    def join(self, number: int, channel: str, members: dict[int, float]) -> int:
        """Make `members` (number -> joined at) members of incident `number`; returns how many
        joined (an item already in an incident stays where it is)."""
        flat = [str(x) for kv in members.items() for x in kv]
        return int(self._join(keys=[keys.incident_members(number), keys.recent_singles(channel)],
                              args=[number, keys.item(0)[:-1], *flat]))

    def leave(self, number: int, member: int) -> bool:
        """Take `member` out of incident `number`; False if it was not in it."""
        return bool(self._leave(keys=[keys.incident_members(number), keys.item(member)],
                                args=[number, member]))

    def members(self, number: int) -> list[int]:
        """Members, in the order they joined."""
        return [int(n) for n in cast("list[str]", self.r.zrange(keys.incident_members(number),
                                                                0, -1))]

    def member_count(self, number: int) -> int:
        return cast("int", self.r.zcard(keys.incident_members(number)))

    def note_single(self, channel: str, number: int, seen: float) -> None:
        """A negative item got its own card in `channel`: a candidate for a storm."""
        self.r.zadd(keys.recent_singles(channel), {str(number): seen})

    def count_singles_soon(self, channel: str, since: float) -> None:
        """Ask ahead (`riding.soon`) how many candidates of `channel` were first seen at or
        after `since`, for `counted_singles`: the storm pre-check rides the item's creation."""
        key = keys.recent_singles(channel)
        riding.soon(key, "count", lambda pipe: pipe.zcount(key, since, "+inf"))

    def counted_singles(self, channel: str) -> int | None:
        """The count `count_singles_soon` asked for, once; None when none arrived."""
        got = riding.take(keys.recent_singles(channel), "count")
        return None if got is riding.MISSING else int(got)

    def note_single_later(self, channel: str, number: int, seen: float, since: float) -> None:
        """`note_single`, pruning candidates first seen before `since`, with the intake's next
        round trip (`riding.later`: before its card is posted)."""
        key = keys.recent_singles(channel)
        riding.later(self.r, key, lambda pipe: (
            pipe.zremrangebyscore(key, "-inf", f"({since}"), pipe.zadd(key, {str(number): seen})))

    def note_single_and_count(self, channel: str, number: int, seen: float,
                              since: float) -> int:
        """`note_single`, and how many candidates were first seen at or after `since` (itself
        included; older ones are pruned): one round trip, no members read."""
        key = keys.recent_singles(channel)
        pipe = self.r.pipeline(transaction=False)
        pipe.zremrangebyscore(key, "-inf", f"({since}")
        pipe.zadd(key, {str(number): seen})
        pipe.zcount(key, since, "+inf")
        return int(pipe.execute()[-1])

    def drop_single(self, channel: str, number: int) -> None:
        self.r.zrem(keys.recent_singles(channel), str(number))

    def recent_singles(self, channel: str, since: float, limit: int = 300) -> list[int]:
        """The newest `limit` candidates first seen at or after `since` (older ones are
        pruned), oldest first. The newest, not the oldest: in a channel with more candidates
        than `limit`, a storm forming now is among the latest mentions."""
        key = keys.recent_singles(channel)
        pipe = self.r.pipeline(transaction=False)
        pipe.zremrangebyscore(key, "-inf", f"({since}")
        pipe.zrevrangebyscore(key, "+inf", since, start=0, num=limit)
        newest = cast("list[str]", pipe.execute()[1])
        return [int(n) for n in reversed(newest)]

    def drop_singles(self, channel: str, numbers: list[int]) -> None:
        """No longer candidates (claimed, closed, in an incident): not read again."""
        if numbers:
            self.r.zrem(keys.recent_singles(channel), *(str(n) for n in numbers))

    def lock(self, channel: str, ttl_ms: int = 10_000) -> bool:
        return bool(self.r.set(keys.storm_lock(channel), "1", nx=True, px=ttl_ms))

    def unlock(self, channel: str) -> None:
        self.r.delete(keys.storm_lock(channel))
