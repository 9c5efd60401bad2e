"""The `/find` index (issue 16): which items contain a search word, which items a handle wrote.

Owns `at:find:w:*` and `at:find:h:*` (one ZSET per hashed word or handle; member and score are
the item number, so "newest first" is the highest score) and the scratch keys `at:find:tmp:*`.
Words come cut by `bot.search`; this store only files numbers under them.

A query is one script. Open matches: one ZINTERSTORE of the open items (`at:open`, owned by
`ItemStore`, a few thousand at most) with the word sets; Redis walks the smallest input. Closed
matches: the smallest word set newest first, each number looked up in the other sets, until the
page is full; only the first `WALK` numbers are walked so, and words that rarely meet (the walk
found too few) fall back to a full ZINTERSTORE, whose result is then small. A full
intersection of two words that are in most posts ("telekom störung") would cost hundreds of
milliseconds at 100,000 items; the walk needs a few dozen lookups. The scratch key never
outlives the script.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

import redis

from bot.store import keys, riding

WALK = 5000  # closed candidates looked at one by one before Redis intersects the rest at once

_FIND = """
local n = #KEYS - 2
local open, scratch = KEYS[n + 1], KEYS[n + 2]
local limit, budget = tonumber(ARGV[1]), tonumber(ARGV[2])
local small, size = 1, nil
for i = 1, n do
  local c = redis.call('ZCARD', KEYS[i])
  if c == 0 then return {{}, {}} end
  if size == nil or c < size then small, size = i, c end
end
local cmd = {'ZINTERSTORE', scratch, n + 1, open}
for i = 1, n do cmd[#cmd + 1] = KEYS[i] end
cmd[#cmd + 1] = 'WEIGHTS'
cmd[#cmd + 1] = 0
for i = 1, n do cmd[#cmd + 1] = 1 end
cmd[#cmd + 1] = 'AGGREGATE'
cmd[#cmd + 1] = 'MAX'
redis.call(unpack(cmd))
local opened = redis.call('ZREVRANGE', scratch, 0, limit - 1)
redis.call('DEL', scratch)
local function walk(src, others, cap)
  local found, start, walked = {}, 0, 0
  while #found < limit and walked < cap do
    local batch = redis.call('ZREVRANGE', src, start, start + 4 * limit - 1)
    if #batch == 0 then return found, true end
    for _, m in ipairs(batch) do
      walked = walked + 1
      local ok = not redis.call('ZSCORE', open, m)
      for _, k in ipairs(others) do
        if not ok then break end
        ok = redis.call('ZSCORE', k, m) ~= false
      end
      if ok then
        found[#found + 1] = m
        if #found >= limit then return found, true end
      end
    end
    start = start + #batch
  end
  return found, walked < cap
end
local others = {}
for i = 1, n do if i ~= small then others[#others + 1] = KEYS[i] end end
local closed, complete = walk(KEYS[small], others, budget)
if not complete then
  local all = {'ZINTERSTORE', scratch, n}
  for i = 1, n do all[#all + 1] = KEYS[i] end
  redis.call(unpack(all))
  closed = walk(scratch, {}, math.huge)
  redis.call('DEL', scratch)
end
return {opened, closed}
"""


class SearchIndex:
    """Owns `at:find:w:*`, `at:find:h:*` and `at:find:tmp:*` (see the module docstring)."""

    def __init__(self, r: redis.Redis) -> None:
        self.r = r
        self._find = r.register_script(_FIND)

    @staticmethod
    def _keys(words: Iterable[str], handle: str) -> list[str]:
        out = [keys.find_word(w) for w in words]
        if handle:
            out.append(keys.find_handle(handle))
        return out

    def add(self, number: int, words: Iterable[str], handle: str) -> None:
        """File item `number` under `words` and `handle` (idempotent; with the next round trip
        inside `bot.store.riding.ride_along`, else now)."""
        found = self._keys(words, handle)
        if found:
            riding.later(self.r, found[0], lambda pipe: [
                pipe.zadd(key, {str(number): number}) for key in found])

    def backfill_window(self, newest: int) -> tuple[int, int]:
        """(next, upto): the item numbers still to be filed by the backfill, `newest` (the item
        counter now) fixed as `upto` the first time (items after it were filed when made)."""
        pipe = self.r.pipeline(transaction=False)
        pipe.hsetnx(keys.FIND_BACKFILL, "upto", str(newest))
        pipe.hsetnx(keys.FIND_BACKFILL, "next", "1")
        pipe.hmget(keys.FIND_BACKFILL, ["next", "upto"])
        nxt, upto = pipe.execute()[-1]
        return int(nxt), int(upto)

    def backfilled(self, upto: int) -> None:
        """Items up to `upto` are filed."""
        self.r.hset(keys.FIND_BACKFILL, "next", str(upto + 1))

    def remove(self, number: int, words: Iterable[str], handle: str) -> None:
        """Take item `number` out of `words` and `handle` (an emptied set disappears)."""
        pipe = self.r.pipeline(transaction=False)
        for key in self._keys(words, handle):
            pipe.zrem(key, str(number))
        pipe.execute()

    def find(self, words: Iterable[str], handle: str = "", limit: int = 20, walk: int = WALK
             ) -> tuple[list[int], list[int]]:
        """Items containing every word (and of `handle`, if given): (open, closed), each
        newest first and at most `limit` long. `walk`: see the module docstring."""
        names = self._keys(sorted(set(words)), handle)
        if not names:
            return [], []
        opened, closed = self._find(
            keys=[*names, keys.OPEN_ITEMS, keys.find_scratch(secrets.token_hex(8))],
            args=[limit, walk])
        return [int(n) for n in opened], [int(n) for n in closed]
