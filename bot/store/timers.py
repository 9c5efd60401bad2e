"""Response-target timers in Redis: due entries claimed atomically, so each fires once.

Layout (keys in `bot.store.keys`):
- `at:timers` ZSET entry -> fire time (epoch s): what is scheduled.
- `at:timers:inflight` ZSET entry -> lease end (epoch s): claimed, being fired. A worker that
  dies mid-fire leaves its lease to expire; the next claim hands the entry out again.
- `at:timer:<n>` HASH entry -> `due` | `fired`: the item's entries, so `stop` needs no scan
  and `schedule` never re-arms an entry that already fired.
- `at:cards:budget:<minute>` STRING: card updates spent this minute by all workers.
- `at:countdown` ZSET item number -> when the countdown on its card next changes (epoch s);
  `at:card:countdown` SET: cards whose countdown is due to be redrawn (issue 13). These get
  what is left of the minute's budget after the marked cards (`at:card:dirty`): a change of
  state is shown first, a countdown a little later when the budget is tight.

An entry is `"<n>:<kind><level>:<gen>"`: `warn`, `breach` (level 1) or a re-escalation
(`breach2`, `breach3`, …); `gen` is the item's due time in epoch ms, so an entry left over
from an earlier due time (a follow-up restarted the clock) is recognisably stale. An item
waiting for its customer has one entry instead, `wait` (its `gen` the end of the wait): the
same `schedule` that arms it drops the warning and breach, so nothing fires while waiting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal, cast

import redis

from bot.store import keys, riding
from bot.store.replication import pipelined

_SCHEDULE = """
local keep = {}
for i = 2, #ARGV, 2 do keep[ARGV[i]] = true end
for _, m in ipairs(redis.call('HKEYS', KEYS[3])) do
  if not keep[m] then
    redis.call('ZREM', KEYS[1], m)
    redis.call('ZREM', KEYS[2], m)
    redis.call('HDEL', KEYS[3], m)
  end
end
local armed = 0
for i = 2, #ARGV, 2 do
  local m = ARGV[i]
  if redis.call('HGET', KEYS[3], m) ~= 'fired' and not redis.call('ZSCORE', KEYS[2], m) then
    redis.call('ZADD', KEYS[1], ARGV[i + 1], m)
    redis.call('HSET', KEYS[3], m, 'due')
    armed = armed + 1
  end
end
redis.call('EXPIRE', KEYS[3], ARGV[1])
return armed
"""

_ADD = """
if redis.call('EXISTS', KEYS[3]) == 0 then return 0 end
if redis.call('HEXISTS', KEYS[3], ARGV[1]) == 1 then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], 'due')
redis.call('EXPIRE', KEYS[3], ARGV[3])
return 1
"""

_CLAIM = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[3])
local stale = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, ARGV[3])
for _, m in ipairs(due) do
  redis.call('ZREM', KEYS[1], m)
  redis.call('ZADD', KEYS[2], ARGV[2], m)
end
for _, m in ipairs(stale) do
  redis.call('ZADD', KEYS[2], ARGV[2], m)
  table.insert(due, m)
end
return due
"""

_DONE = """
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 and redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('HSET', KEYS[2], ARGV[1], 'fired')
end
return 1
"""

_STOP = """
for _, m in ipairs(redis.call('HKEYS', KEYS[3])) do
  redis.call('ZREM', KEYS[1], m)
  redis.call('ZREM', KEYS[2], m)
end
return redis.call('DEL', KEYS[3])
"""

_SPEND = """
if ARGV[3] ~= '' then
  for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', ARGV[3], 'LIMIT', 0, 1000)) do
    redis.call('ZREM', KEYS[4], m)
    redis.call('SADD', KEYS[3], m)
  end
end
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local n = math.min(tonumber(ARGV[1]) - used, tonumber(ARGV[2]))
if n <= 0 then return {} end
local got = redis.call('SPOP', KEYS[2], n)
for _, m in ipairs(got) do redis.call('SREM', KEYS[3], m) end
if #got < n then
  for _, m in ipairs(redis.call('SPOP', KEYS[3], n - #got)) do table.insert(got, m) end
end
if #got > 0 then
  redis.call('INCRBY', KEYS[1], #got)
  redis.call('EXPIRE', KEYS[1], 120)
end
return got
"""


_ENTRY = re.compile(r"^(\d+):(warn|breach|wait)(\d*):(-?\d+)$")


@dataclass(frozen=True)
class TimerEntry:
    """One scheduled firing for item `number`; `gen` is the due time it belongs to (epoch ms)."""

    number: int
    kind: str  # "warn" | "breach" | "wait" (waiting for the customer ran out, issue 16)
    gen: int
    level: int = 1  # breach: 1 at the due time, 2, 3, … for each further target

    @property
    def member(self) -> str:
        level = str(self.level) if self.kind == "breach" and self.level > 1 else ""
        return f"{self.number}:{self.kind}{level}:{self.gen}"

    @classmethod
    def parse(cls, member: str) -> TimerEntry | None:
        m = _ENTRY.match(member)
        if not m:
            return None
        return cls(int(m.group(1)), m.group(2), int(m.group(4)), int(m.group(3) or 1))


class TimerStore:
    """Owns `at:timers`, `at:timers:inflight`, `at:timer:*`, `at:card:dirty`, `at:cards:budget:*`,
    `at:countdown`, `at:card:countdown`."""

    def __init__(self, r: redis.Redis, entry_ttl_s: int = 30 * 86400) -> None:
        self.r = r
        self.entry_ttl_s = entry_ttl_s
        self._schedule = r.register_script(_SCHEDULE)
        self._add = r.register_script(_ADD)
        self._claim = r.register_script(_CLAIM)
        self._done = r.register_script(_DONE)
        self._stop = r.register_script(_STOP)
        self._spend = r.register_script(_SPEND)

    def _keys(self, number: int) -> list[str]:
        return [keys.TIMERS, keys.TIMERS_INFLIGHT, keys.timer_entries(number)]

    def schedule(self, number: int, entries: dict[TimerEntry, float],
                 countdown: float | Literal["keep"] | None = "keep", *,
                 ride: bool = False) -> int:
        """Make `entries` (entry -> fire time, epoch s) the item's only timers.

        Entries the item had for another due time are dropped; an entry that already fired
        (or is being fired) is not armed again, so calling this twice fires nothing twice.
        `countdown`: `schedule_countdown` in the same round trip. Returns how many entries
        were armed. `ride`: sent with the next round trip (`bot.store.riding.later`, inside
        a worker's intake), not now; returns 0 (not known yet).
        """
        flat: list[str | float] = []
        for entry, at in entries.items():
            flat += [entry.member, at]

        def build(pipe: Any) -> None:
            self._schedule(keys=self._keys(number), args=[self.entry_ttl_s, *flat], client=pipe)
            if countdown != "keep":
                self.schedule_countdown(number, countdown, client=pipe)

        if ride:
            riding.later(self.r, keys.TIMERS, build, script=True)
            return 0
        return int(pipelined(self.r, build, keys.TIMERS)[0])

    def add(self, entry: TimerEntry, at: float) -> bool:
        """Arm one more entry for a still-timed item (a re-escalation); once per entry."""
        return bool(self._add(keys=self._keys(entry.number), args=[entry.member, at, self.entry_ttl_s]))

    def stop(self, number: int) -> None:
        """Forget every timer of item `number` (scheduled or in flight)."""
        self._stop(keys=self._keys(number))

    def claim(self, now: float, lease_s: float, limit: int = 100) -> list[TimerEntry]:
        """Take up to `limit` entries due at `now` (plus expired leases); each goes to one caller."""
        got = self._claim(keys=[keys.TIMERS, keys.TIMERS_INFLIGHT],
                          args=[now, now + lease_s, limit])
        return [e for m in got if (e := TimerEntry.parse(m)) is not None]

    def defer(self, entry: TimerEntry, at: float) -> None:
        """Hand a claimed entry back to fire at `at` instead (e.g. its card is not posted yet)."""
        if self.r.zrem(keys.TIMERS_INFLIGHT, entry.member):
            self.r.zadd(keys.TIMERS, {entry.member: at})

    def done(self, entry: TimerEntry) -> None:
        """The entry fired (or was rightly skipped): end its lease, never arm it again."""
        self._done(keys=[keys.TIMERS_INFLIGHT, keys.timer_entries(entry.number)],
                   args=[entry.member])

    def pending(self, number: int) -> dict[str, float]:
        """Scheduled entries of one item (member -> fire time); for tests and `/queue`."""
        members = list(cast("dict[str, str]", self.r.hgetall(keys.timer_entries(number))))
        if not members:
            return {}
        scores = cast("list[float | None]", self.r.zmscore(keys.TIMERS, members))
        return {m: s for m, s in zip(members, scores, strict=True) if s is not None}

    def mark_card(self, number: int) -> None:
        """The card of `number` should show its current state (set: many marks, one update)."""
        self.r.sadd(keys.CARD_UPDATES, number)

    def take_cards(self, minute: int, per_minute: int, limit: int, *,
                   now: float | None = None) -> list[int]:
        """Up to `limit` cards to update, within `per_minute` updates shared by all workers:
        marked cards first, then cards whose countdown is due to be redrawn. With `now` (epoch
        s), the countdowns due by then join those first (in the same atomic step, so an idle
        tick stays one call)."""
        got = self._spend(keys=[keys.card_budget(minute), keys.CARD_UPDATES, keys.CARD_COUNTDOWN,
                                keys.COUNTDOWN],
                          args=[per_minute, limit, "" if now is None else now])
        return [int(n) for n in got]

    # ----- live countdown (issue 13) ------------------------------------------------------------
    def schedule_countdown(self, number: int, at: float | None, client: Any = None) -> None:
        """Redraw the card of `number` at `at` (epoch s) for its countdown; None: never again
        (`client`: a pipeline to send it with, else now)."""
        r = client if client is not None else self.r
        if at is None:
            r.zrem(keys.COUNTDOWN, number)
        else:
            r.zadd(keys.COUNTDOWN, {str(number): at})

    def next_countdown(self, number: int) -> float | None:
        """When the countdown of `number` is next redrawn (for tests and `/queue`)."""
        score = cast("float | None", self.r.zscore(keys.COUNTDOWN, number))
        return float(score) if score is not None else None
