"""The mention queue: a Redis Stream read by a consumer group, with dedupe at the door.

`enqueue` marks (network, id) seen and appends to the stream in one Lua call, so a mention is
either queued exactly once or not at all (the same call counts it in `mentions_ingested`).
Workers read with XREADGROUP and acknowledge an entry only after its card is posted and
recorded; entries of a crashed worker are reclaimed with XAUTOCLAIM after `min_idle_ms`. A
worker that holds entries longer (queued behind a busy channel) keeps them with `touch`, which
resets their idle time while they are still its own.

A Redis restarted without persistence comes back without the stream and its group: every group
command then fails with NOGROUP. The queue recreates both (`ensure_group`) and retries once, so
a worker carries on instead of failing forever on an empty server.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import redis

from bot.models import Mention, mention_from_json
from bot.store import keys
from bot.store.metrics import field as metric_field
from bot.store.replication import Replication

log = logging.getLogger(__name__)
T = TypeVar("T")

SEEN_TTL_S = 90 * 24 * 3600  # a mention id seen in the last 90 days is a duplicate


def consumer_name() -> str:
    """This process's name in the consumer groups: host and pid."""
    return f"{socket.gethostname()}-{os.getpid()}"


# A duplicate writes too (it is counted): the caller's WAIT then covers every write before it
# on this primary, the first acceptance of the mention included. Without a write, WAIT on a
# connection that wrote nothing yet returns at once, and a duplicate of a mention whose first
# WAIT timed out (503) would be acknowledged while only the primary holds it.
_ENQUEUE = """
if redis.call('EXISTS', KEYS[3]) == 0 and redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[2]) then
  redis.call('HINCRBY', KEYS[4], ARGV[3], 1)
  return redis.call('XADD', KEYS[2], '*', 'mention', ARGV[1])
end
redis.call('HINCRBY', KEYS[4], ARGV[4], 1)
return false
"""


# ARGV: group, consumer, idle ms, entry ids. Only entries still pending for `consumer` are
# touched (never one another worker reclaimed meanwhile); JUSTID: the delivery count stays.
_TOUCH = """
local n = 0
for i = 4, #ARGV do
  local mine = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1, ARGV[2])
  if #mine == 1 then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'IDLE', ARGV[3], 'JUSTID')
    n = n + 1
  end
end
return n
"""


@dataclass(frozen=True)
class Entry:
    entry_id: str
    mention: Mention | None  # None when the stored entry cannot be decoded
    raw: str


class MentionQueue:
    """Owns `at:stream:mentions`, its consumer group and the `at:seen:*` dedupe keys (an erased
    or expired mention's mark lives on hashed as `at:seen-hash:*`, see `bot.store.privacy`)."""

    def __init__(self, r: redis.Redis, replication: Replication | None = None) -> None:
        self.r = r
        self.replication = replication or Replication(r)
        self._enqueue = r.register_script(_ENQUEUE)
        self._touch = r.register_script(_TOUCH)

    def enqueue(self, mention: Mention) -> bool:
        """Queue `mention`; False if the same network + id was accepted before.

        Returns only once a replica holds it, when there is one (`bot.store.replication`):
        the caller may then acknowledge it (answer, advance a checkpoint)."""
        return self.enqueue_many([mention])[0]

    def enqueue_many(self, mentions: list[Mention]) -> list[bool]:
        """`enqueue` for several mentions in one round trip and one WAIT."""
        if not mentions:
            return []
        written = self.replication.write(keys.MENTION_STREAM, lambda pipe: [
            self._enqueue(keys=self._enqueue_keys(m), args=self._enqueue_args(m), client=pipe)
            for m in mentions])
        written.confirm()
        res = written.replies
        return [r is not None for r in res]

    @staticmethod
    def _enqueue_keys(m: Mention) -> list[str]:
        return [keys.seen(m.network, m.id), keys.MENTION_STREAM,
                keys.seen_forgotten(m.network, m.id), keys.METRICS]

    @staticmethod
    def _enqueue_args(m: Mention) -> list[str | int]:
        """The mention, how long its dedupe mark lives, and the counters it adds to."""
        return [m.to_json(), SEEN_TTL_S, metric_field("mentions_ingested", network=m.network),
                metric_field("mentions_duplicate", network=m.network)]

    def ensure_group(self) -> None:
        """Create the stream and its consumer group if missing (reading from the start)."""
        try:
            self.r.xgroup_create(keys.MENTION_STREAM, keys.MENTION_GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def read(self, consumer: str, count: int = 10, block_ms: int | None = 1000) -> list[Entry]:
        """New entries for this consumer (blocks up to `block_ms`)."""
        # RESP2 reply: [[stream, [(id, fields), ...]]], or None after `block_ms`
        res = self._group_call(lambda: cast("list[list[Any]] | None", self.r.xreadgroup(
            keys.MENTION_GROUP, consumer, {keys.MENTION_STREAM: ">"}, count=count, block=block_ms
        )))
        return list(self._entries(res[0][1] if res else []))

    def reclaim(self, consumer: str, min_idle_ms: int = 60_000, count: int = 50) -> list[Entry]:
        """Entries another consumer read but never acknowledged (it crashed)."""
        res = self._group_call(lambda: cast("list[Any]", self.r.xautoclaim(
            keys.MENTION_STREAM, keys.MENTION_GROUP, consumer, min_idle_ms, "0-0", count=count
        )))
        return list(self._entries(res[1]))

    def pending_for(self, consumer: str, count: int = 50) -> list[Entry]:
        """This consumer's own unacknowledged entries (after a restart with the same name)."""
        res = self._group_call(lambda: cast("list[list[Any]] | None", self.r.xreadgroup(
            keys.MENTION_GROUP, consumer, {keys.MENTION_STREAM: "0"}, count=count
        )))
        return list(self._entries(res[0][1] if res else []))

    def touch(self, consumer: str, entry_ids: list[str], idle_ms: int = 0) -> int:
        """Set the idle time of `consumer`'s pending `entry_ids` (those still its own).

        `idle_ms=0` keeps entries a live worker still holds from being reclaimed; a large
        `idle_ms` hands entries it will not process (it is stopping) to the other workers now.
        Returns how many were touched.
        """
        touched = 0
        for start in range(0, len(entry_ids), 200):
            touched += int(self._touch(keys=[keys.MENTION_STREAM],
                                       args=[keys.MENTION_GROUP, consumer, idle_ms,
                                             *entry_ids[start:start + 200]]))
        return touched

    def deliveries(self, entry_id: str) -> int:
        """How often the group has handed out this entry (1 on the first read)."""
        rows = self._group_call(lambda: cast("list[dict[str, Any]]", self.r.xpending_range(
            keys.MENTION_STREAM, keys.MENTION_GROUP, min=entry_id, max=entry_id, count=1)))
        return int(rows[0]["times_delivered"]) if rows else 0

    def _group_call(self, call: Callable[[], T]) -> T:
        """`call` a group command; on NOGROUP (Redis lost its data) recreate, log, retry once."""
        try:
            return call()
        except redis.ResponseError as exc:
            if not str(exc).startswith("NOGROUP"):
                raise
        log.warning("Mention-Stream oder Consumer-Group fehlt (Redis leer neu gestartet?): neu "
                    "angelegt / mention stream or consumer group missing (Redis restarted "
                    "empty?): recreated")
        self.ensure_group()
        return call()

    def dead_letter(self, entry: Entry, reason: str) -> None:
        """Park an entry that keeps failing (kept until retention or an erasure) and ack it."""
        pipe = self.r.pipeline(transaction=True)
        pipe.xadd(keys.DEAD_LETTERS, {"entry": entry.entry_id, "mention": entry.raw,
                                      "reason": reason})
        pipe.xack(keys.MENTION_STREAM, keys.MENTION_GROUP, entry.entry_id)
        pipe.hincrby(keys.METRICS, metric_field("dead_letters_parked"), 1)
        pipe.execute()

    def ack(self, *entry_ids: str, client: Any = None) -> None:
        """The entries are done (`client`: a pipeline to send it with, else now)."""
        (client if client is not None else self.r).xack(keys.MENTION_STREAM, keys.MENTION_GROUP,
                                                        *entry_ids)

    def backlog(self) -> int:
        """Entries not yet acknowledged plus those not yet read.

        A stream without the group (Redis restarted empty, then mentions arrived before any
        worker recreated the group) is all backlog: every entry in it is still unread.
        """
        try:
            groups = cast("list[dict[str, Any]]", self.r.xinfo_groups(keys.MENTION_STREAM))
        except redis.ResponseError:
            return 0  # no stream: nothing was queued
        for g in groups:
            if g["name"] == keys.MENTION_GROUP:
                return int(g.get("pending", 0)) + int(g.get("lag") or 0)
        return cast("int", self.r.xlen(keys.MENTION_STREAM))

    def group_state(self) -> tuple[int, int]:
        """(pending, lag) of the worker group: read but not acknowledged, not yet read."""
        try:
            groups = cast("list[dict[str, Any]]", self.r.xinfo_groups(keys.MENTION_STREAM))
        except redis.ResponseError:
            return 0, 0
        for g in groups:
            if g["name"] == keys.MENTION_GROUP:
                return int(g.get("pending", 0)), int(g.get("lag") or 0)
        return 0, cast("int", self.r.xlen(keys.MENTION_STREAM))

    @staticmethod
    def _entries(rows: list[tuple[str, dict[str, str]]]) -> Iterator[Entry]:
        for entry_id, fields in rows:
            if not fields:  # deleted entry
                continue
            raw = fields.get("mention", "")
            try:
                mention: Mention | None = mention_from_json(raw)
            except Exception:
                mention = None
            yield Entry(entry_id, mention, raw)
