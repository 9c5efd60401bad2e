"""The answer queue: one entry per incident member to answer, read by a consumer group.

`/reply N …` on an incident writes one entry per open member and returns; workers send them
at the networks' pace. An entry is acknowledged only after its member is recorded as
answered (or as failed). Before sending, a worker sets `at:sending:<member>`: if it dies after
the network accepted but before the record, the retry finds the marker and does not send
again (the member is listed as "check by hand" instead): never twice, never silently skipped.
The entries and the marker are on a replica (`WAIT`, issue 15) before the agent is told the
answers are queued and before the answer goes out, so a failover loses neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import redis

from bot.store import keys
from bot.store.replication import Replication

SENDING_TTL_S = 7 * 86400


@dataclass(frozen=True)
class AnswerJob:
    entry_id: str
    incident: int
    member: int
    user: str
    template: str  # the template's name, or "" for `text`
    text: str


class AnswerQueue:
    """Owns `at:stream:answers`, its consumer group and `at:sending:*`."""

    def __init__(self, r: redis.Redis, replication: Replication | None = None) -> None:
        self.r = r
        self.replication = replication or Replication(r)

    def ensure_group(self) -> None:
        try:
            self.r.xgroup_create(keys.ANSWER_STREAM, keys.ANSWER_GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def enqueue(self, incident: int, members: list[int], user: str, template: str,
                text: str) -> int:
        """One entry per member, in one round trip; on a replica before this returns (the
        agent is told the answers are queued: a failover must not lose them). A member queued
        twice (the agent sends again after an error) is answered once (`Incidents._send`)."""
        def build(pipe: Any) -> None:
            for member in members:
                pipe.xadd(keys.ANSWER_STREAM, {"incident": incident, "member": member,
                                               "user": user, "template": template, "text": text})

        self.replication.write(keys.ANSWER_STREAM, build).confirm()
        return len(members)

    def read(self, consumer: str, count: int = 10, block_ms: int | None = None) -> list[AnswerJob]:
        """This consumer's unacknowledged entries first (after a restart), then new ones."""
        try:
            return self._read(consumer, count, block_ms)
        except redis.ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            self.ensure_group()  # Redis came back empty: start over with an empty queue
            return []

    def _read(self, consumer: str, count: int, block_ms: int | None) -> list[AnswerJob]:
        own = cast("list[list[Any]] | None", self.r.xreadgroup(
            keys.ANSWER_GROUP, consumer, {keys.ANSWER_STREAM: "0"}, count=count))
        rows = own[0][1] if own and own[0][1] else []
        if not rows:
            res = cast("list[list[Any]] | None", self.r.xreadgroup(
                keys.ANSWER_GROUP, consumer, {keys.ANSWER_STREAM: ">"}, count=count,
                block=block_ms))
            rows = res[0][1] if res else []
        return [self._job(i, f) for i, f in rows if f]

    def reclaim(self, consumer: str, min_idle_ms: int, count: int = 10) -> list[AnswerJob]:
        """Entries of a consumer that stopped (crashed) for `min_idle_ms`."""
        try:
            res = cast("list[Any]", self.r.xautoclaim(
                keys.ANSWER_STREAM, keys.ANSWER_GROUP, consumer, min_idle_ms, "0-0", count=count))
        except redis.ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            self.ensure_group()
            return []
        return [self._job(i, f) for i, f in res[1] if f]

    def ack(self, entry_id: str) -> None:
        self.r.xack(keys.ANSWER_STREAM, keys.ANSWER_GROUP, entry_id)

    def start_sending(self, member: int) -> bool:
        """Mark `member`'s answer as going out; False if a marker exists (an earlier attempt
        may have posted it). A replica holds the mark before this returns True, so a failover
        after the send cannot make a retry send again; none in time: `ReplicaTimeout`, the
        mark taken back (nothing was sent)."""
        key = keys.answer_sending(member)
        written = self.replication.write(key, lambda pipe: pipe.set(
            key, "1", nx=True, ex=SENDING_TTL_S))
        if not written.replies[0]:
            return False
        written.confirm(undo=lambda: self.not_sending(member))
        return True

    def not_sending(self, member: int) -> None:
        """The network refused before posting anything: a retry may send."""
        self.r.delete(keys.answer_sending(member))

    @staticmethod
    def _job(entry_id: str, f: dict[str, str]) -> AnswerJob:
        return AnswerJob(entry_id, int(f["incident"]), int(f["member"]), f.get("user", ""),
                         f.get("template", ""), f.get("text", ""))
