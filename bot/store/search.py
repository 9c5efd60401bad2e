"""The `/find` index (issue 16): which items contain a search word, which items a handle wrote.

Owns `at:find:w:*` and `at:find:h:*` (one ZSET per hashed word or handle; member and score are
the item number, so "newest first" is the highest score) and the scratch keys `at:find:tmp:*`.
Words come cut by `bot.search`; this store only files numbers under them.

A query intersects the word sets in Redis (ZINTERSTORE walks the smallest set, so a rare word
makes a common one cheap), then intersects that with the open items (`at:open`, owned by
`ItemStore`) for "open first", then walks the rest newest first until the page is full. One
script: the scratch keys never outlive the call.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

import redis

from bot.store import keys

_FIND = """
local n = #KEYS - 3
local open, all, inopen = KEYS[n + 1], KEYS[n + 2], KEYS[n + 3]
local limit = tonumber(ARGV[1])
for i = 1, n do
  if redis.call('EXISTS', KEYS[i]) == 0 then return {{}, {}} end
end
local src = KEYS[1]
if n > 1 then
  redis.call('ZINTERSTORE', all, n, unpack(KEYS, 1, n))
  src = all
end
redis.call('ZINTERSTORE', inopen, 2, src, open, 'WEIGHTS', 1, 0)
local opened = redis.call('ZREVRANGE', inopen, 0, limit - 1)
local closed, start = {}, 0
while #closed < limit do
  local batch = redis.call('ZREVRANGE', src, start, start + 4 * limit - 1)
  if #batch == 0 then break end
  for _, m in ipairs(batch) do
    if #closed >= limit then break end
    if not redis.call('ZSCORE', open, m) then table.insert(closed, m) end
  end
  start = start + #batch
end
redis.call('DEL', all, inopen)
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
        """File item `number` under `words` and `handle` (idempotent)."""
        pipe = self.r.pipeline(transaction=False)
        for key in self._keys(words, handle):
            pipe.zadd(key, {str(number): number})
        pipe.execute()

    def remove(self, number: int, words: Iterable[str], handle: str) -> None:
        """Take item `number` out of `words` and `handle` (an emptied set disappears)."""
        pipe = self.r.pipeline(transaction=False)
        for key in self._keys(words, handle):
            pipe.zrem(key, str(number))
        pipe.execute()

    def find(self, words: Iterable[str], handle: str = "", limit: int = 20
             ) -> tuple[list[int], list[int]]:
        """Items containing every word (and of `handle`, if given): (open, closed), each
        newest first and at most `limit` long."""
        names = self._keys(sorted(set(words)), handle)
        if not names:
            return [], []
        token = secrets.token_hex(8)
        opened, closed = self._find(
            keys=[*names, keys.OPEN_ITEMS, keys.find_scratch(f"{token}:all"),
                  keys.find_scratch(f"{token}:open")], args=[limit])
        return [int(n) for n in opened], [int(n) for n in closed]
