"""Worker heartbeats: which workers are alive, for `/healthz`.

Redis can answer PING while no worker does any work (one looped on NOGROUP for hours), so
`/healthz` asks the workers themselves: each writes its name and the time of its latest step
into one sorted set, and the web process reads who wrote recently. Names not heard of for an
hour are pruned, so restarts (a new name per process) do not pile up.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import redis

from bot.store import keys

PRUNE_AFTER_S = 3600


@dataclass(frozen=True)
class Liveness:
    """Who beat within the window, and who beat last and how long ago (None: nobody ever)."""

    alive: list[str]
    last_name: str | None
    silent_s: float | None  # seconds since the newest beat of any worker


class Heartbeats:
    """Owns `at:workers`: a ZSET worker name -> its latest heartbeat (epoch s)."""

    def __init__(self, r: redis.Redis, clock: Callable[[], float] = time.time) -> None:
        self.r = r
        self.clock = clock

    def beat(self, name: str, client: Any = None) -> None:
        """`name` is alive now; forget names silent for longer than `PRUNE_AFTER_S` (sent
        with the pipeline `client`, else now)."""
        now = self.clock()
        pipe = client if client is not None else self.r.pipeline(transaction=False)
        pipe.zadd(keys.WORKER_BEATS, {name: now})
        pipe.zremrangebyscore(keys.WORKER_BEATS, "-inf", now - PRUNE_AFTER_S)
        if client is None:
            pipe.execute()

    def alive(self, name: str, within_s: float = 60.0) -> bool:
        """`name` beat in the last `within_s` seconds."""
        beat = cast("float | None", self.r.zscore(keys.WORKER_BEATS, name))
        return beat is not None and self.clock() - float(beat) <= within_s

    def liveness(self, within_s: float) -> Liveness:
        """The workers that beat in the last `within_s` seconds (one round trip)."""
        now = self.clock()
        pipe = self.r.pipeline(transaction=False)
        pipe.zrangebyscore(keys.WORKER_BEATS, now - within_s, "+inf")
        pipe.zrange(keys.WORKER_BEATS, -1, -1, withscores=True)
        alive, newest = cast("tuple[list[str], list[tuple[str, float]]]", pipe.execute())
        if not newest:
            return Liveness(list(alive), None, None)
        name, beat = newest[0]
        return Liveness(list(alive), name, max(0.0, now - float(beat)))
