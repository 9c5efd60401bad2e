"""Per-channel pacing shared by every process: Slack's ≈1 post per second per channel, no 429s.

Slack answers a second `chat.postMessage` into a channel within about a second of the previous
one with 429 and a Retry-After penalty. Every post into a channel (card, thread line, summary,
lead ping; in any worker or web process) therefore takes the channel's **slot** first:

    with pacer.slot(channel):
        client.chat_postMessage(...)

- **One post in flight per channel**, across all processes: taking the slot sets
  `at:pace:<channel>` to `post:<token>` with a lease (`lease_ms`, 30 s: a process killed while
  posting blocks the channel that long at most).
- **The interval runs from Slack's answer**: leaving the slot turns the key into `cool` for
  `interval_ms` (1 s). The next post is sent at least 1 s after the previous one was *answered*,
  so it reaches Slack at least 1 s after the previous one arrived, however late that request
  was delivered: a limiter as strict as Slack's never sees two posts within a second, on a
  busy machine too. The price is one round trip per post: ≈ 1 s + a few ms per post on a LAN,
  1 s + Slack's answer time (≈ 0.1 s) from far away.
- **In arrival order**: posters waiting for a channel queue in `at:pace:<channel>:line` (a
  sorted set) and the slot goes to the first of them, so a channel's cards appear in the order
  their mentions arrived: exactly with one worker; with several, as long as the worker
  holding an earlier entry read it before a later one is posted (see "Announced
  when read"). A card's place is its stream entry id
  (set around the intake with `post_order(entry_id)`: epoch ms × 1000 + sequence). Any other
  post (timer warnings and breaches, thread lines of agents' actions, the summary) goes before
  the waiting cards, in the order asked (its place is the epoch ms it asked, a smaller number):
  such posts are few and someone waits for them, while a burst's cards may fill a channel for
  minutes; they still take the channel's slot, so the 1 post/s budget is shared.
- **Announced when read**: a worker puts the stream entries it reads into their channels' lines
  at once (`announce`, one round trip per read), long before their intake reaches the slot. So
  an earlier entry that another worker is still triaging (a busy machine, a cold start) keeps
  its place: the slot waits for it instead of going to a later entry that asked first. An
  announced entry counts as having asked when a poster first finds it in the line, so one
  whose worker died leaves the line after `stale_ms` like any waiter; one that posts nothing
  there (no card, another channel) is taken out when its entry is finished (`withdraw`).
- **Waiting**: waiters sleep exactly until the cool-down ends (nobody can post before) and look
  again every `poll_ms` while a post is in flight. A poster that finds the channel free waits
  `gather_ms` (20 ms) once, so that an earlier entry another worker is just reaching still
  goes first. A waiter that stopped asking for `stale_ms` (its process died) leaves the line.
- A slot is never waited for longer than `max_wait_s`: then the post goes out unpaced and the
  Slack client's own 429 handling (Retry-After) takes over.

Time is Redis's: TTLs and `TIME` in the scripts, so clocks of the worker hosts do not matter.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import redis

from bot.store import keys

log = logging.getLogger(__name__)

_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local order = ARGV[2]
if order == '' then order = string.format('%.0f', now) end
redis.call('ZADD', KEYS[2], 'NX', order, ARGV[1])
redis.call('ZADD', KEYS[3], now, ARGV[1])
local announced = redis.call('SMEMBERS', KEYS[4])
for _, entry in ipairs(announced) do
  if redis.call('ZSCORE', KEYS[2], entry) then redis.call('ZADD', KEYS[3], 'NX', now, entry) end
end
if #announced > 0 then redis.call('DEL', KEYS[4]) end
local stale = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf',
                         string.format('%.0f', now - tonumber(ARGV[4])))
for _, gone in ipairs(stale) do
  redis.call('ZREM', KEYS[2], gone)
  redis.call('ZREM', KEYS[3], gone)
end
redis.call('PEXPIRE', KEYS[2], ARGV[6])
redis.call('PEXPIRE', KEYS[3], ARGV[6])
local first = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  if first ~= ARGV[1] then return tonumber(ARGV[5]) end
  if tonumber(ARGV[7]) > 0 then return tonumber(ARGV[7]) end
  redis.call('SET', KEYS[1], 'post:' .. ARGV[1], 'PX', ARGV[3])
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('ZREM', KEYS[3], ARGV[1])
  return 0
end
if redis.call('GET', KEYS[1]) == 'cool' then
  return math.max(left, 1)
end
return math.max(math.min(left, tonumber(ARGV[5])), 1)
"""

_LEAVE_SLOT = """
if redis.call('GET', KEYS[1]) == 'post:' .. ARGV[1] then
  redis.call('SET', KEYS[1], 'cool', 'PX', ARGV[2])
  return 1
end
return 0
"""

_order: ContextVar[tuple[str, str]] = ContextVar("post_order", default=("", ""))
_turn: ContextVar[Callable[[], None] | None] = ContextVar("post_turn", default=None)


def order_of(entry_id: str) -> str:
    """The place in line of a stream entry id `<ms>-<seq>`: epoch ms × 1000 + sequence."""
    ms, _, seq = entry_id.partition("-")
    return str(int(ms) * 1000 + min(int(seq or 0), 999))


def waiter(entry_id: str) -> str:
    """The line member of a stream entry: the same when announced and when its posts wait."""
    return f"e:{entry_id}"


@contextmanager
def post_order(entry_id: str, turn: Callable[[], None] | None = None) -> Iterator[None]:
    """Posts made inside (in this thread) queue by the stream entry `entry_id`'s arrival; each
    first calls `turn` (the worker's lane: wait until the entries before it there are done)."""
    token = _order.set((order_of(entry_id), waiter(entry_id)))
    turn_token = _turn.set(turn)
    try:
        yield
    finally:
        _turn.reset(turn_token)
        _order.reset(token)


def _wait_turn() -> None:
    """Before a post: the turn `post_order` was given, if any."""
    turn = _turn.get()
    if turn is not None:
        turn()


class RedisPacer:
    """Owns `at:pace:*`. `slot(channel)`: post inside it (see the module docstring)."""

    def __init__(self, r: redis.Redis, interval_ms: int = 1000,
                 sleep: Callable[[float], None] = time.sleep, max_wait_s: float = 120.0,
                 lease_ms: int = 30_000, poll_ms: int = 50, stale_ms: int = 5000,
                 gather_ms: int = 20) -> None:
        self.r = r
        self.interval_ms = interval_ms
        self.sleep = sleep
        self.max_wait_s = max_wait_s
        self.lease_ms, self.poll_ms, self.stale_ms = lease_ms, poll_ms, stale_ms
        self.gather_ms = gather_ms
        self._take = r.register_script(_TAKE)
        self._leave = r.register_script(_LEAVE_SLOT)

    @contextmanager
    def slot(self, channel: str) -> Iterator[None]:
        """Wait for `channel`'s turn, hold it while the body posts, then start the interval."""
        _wait_turn()
        order, member = _order.get()
        token = member or uuid.uuid4().hex
        held = self._wait(channel, token, order)
        try:
            yield
        finally:
            if held:
                try:
                    self._leave(keys=[keys.pace(channel)], args=[token, self.interval_ms])
                except redis.RedisError as exc:  # the lease runs out by itself
                    log.warning("could not leave the slot of %s (%s)", channel,
                                type(exc).__name__)

    def announce(self, entries: Iterable[tuple[str, str]], client: Any = None) -> None:
        """Put stream entries (channel, entry id) in their channels' lines now, ahead of their
        intake (see "Announced when read"); into `client` (a pipeline) when given."""
        pipe = client if client is not None else self.r.pipeline(transaction=False)
        for channel, entry_id in entries:
            line, announced = keys.pace_line(channel), keys.pace_announced(channel)
            member = waiter(entry_id)
            pipe.zadd(line, {member: int(order_of(entry_id))}, nx=True)
            pipe.sadd(announced, member)
            pipe.pexpire(line, self._keep_ms)
            pipe.pexpire(announced, self._keep_ms)
        if client is None and len(pipe):
            pipe.execute()

    def withdraw(self, channel: str, entry_id: str, client: Any) -> None:
        """Take an announced entry out of `channel`'s line (it is finished; a no-op once its
        post took the slot), into the pipeline `client`."""
        self._leave_line(channel, waiter(entry_id), client)

    @staticmethod
    def _leave_line(channel: str, member: str, client: Any) -> None:
        """`member` out of `channel`'s line (and its bookkeeping), into the pipeline `client`."""
        client.zrem(keys.pace_line(channel), member)
        client.zrem(keys.pace_seen(channel), member)
        client.srem(keys.pace_announced(channel), member)

    @property
    def _keep_ms(self) -> int:
        """How long an untouched line lives (its waiters are all gone by then)."""
        return max(self.lease_ms, self.stale_ms) * 2

    def _wait(self, channel: str, token: str, order: str) -> bool:
        line, seen = keys.pace_line(channel), keys.pace_seen(channel)
        waited = 0.0
        gather = self.gather_ms
        while True:
            left = int(self._take(
                keys=[keys.pace(channel), line, seen, keys.pace_announced(channel)],
                args=[token, order, self.lease_ms, self.stale_ms, self.poll_ms, self._keep_ms,
                      gather]))
            gather = 0
            if left <= 0:
                return True
            if waited >= self.max_wait_s:
                log.warning("no slot in %s after %.0f s: posting unpaced", channel, waited)
                pipe = self.r.pipeline(transaction=False)
                self._leave_line(channel, token, pipe)
                pipe.execute()
                return False
            step = left / 1000
            self.sleep(step)
            waited += step


class Unpaced:
    """`slot` without waiting: for a Slack stand-in without rate limits
    (`SLACK_CHANNEL_INTERVAL_MS=0`), never for Slack itself."""

    @contextmanager
    def slot(self, channel: str) -> Iterator[None]:
        _wait_turn()
        yield
