"""Writes that must survive a failover: `WAIT` until a replica holds them (issue 15).

Redis replicates asynchronously: a primary that dies a millisecond after a write may take the
write with it, and the replica promoted by Sentinel never saw it. Where the desk tells someone
"you may forget this now" (the `/ingest` answer, a poller's checkpoint, a webhook's 200), it
first sends `WAIT 1 <timeout>` on the connection that wrote: the answer comes only once one
replica acknowledged everything up to that write. No replica in time: `ReplicaTimeout`, which
the web process answers with 503 and the reason, so the caller sends again (the dedupe marks
make that safe).

With Sentinel a replica is part of the setup: every such write waits for one, and with none
connected (the replica is down, the promoted primary has none yet, or a primary that is being
demoted lost it) the write is refused at once (`ReplicaTimeout`) rather than acknowledged on
one server that may be gone or demoted a moment later. On a single server the WAIT is made
when `INFO replication` shows a replica connected (refreshed every `refresh_s`), else skipped;
the embedded Redis and a cluster skip it (see the README).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import redis

from bot.store.redis_client import is_cluster, is_sentinel

log = logging.getLogger(__name__)

WAIT_TIMEOUT_MS = 2000
REFRESH_S = 2.0


class ReplicaTimeout(redis.RedisError):
    """No replica confirmed a write in time: the write must not be acknowledged."""

    def __init__(self, timeout_ms: int, reason: str = "") -> None:
        super().__init__(reason or f"no replica confirmed the write within {timeout_ms} ms")
        self.timeout_ms = timeout_ms


class Replication:
    """How many replicas to WAIT for, and the WAIT itself (appended to a pipeline)."""

    def __init__(self, r: redis.Redis, *, timeout_ms: int = WAIT_TIMEOUT_MS,
                 refresh_s: float = REFRESH_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.r = r
        self.timeout_ms = timeout_ms
        self.refresh_s = refresh_s
        self.clock = clock
        self._cluster = is_cluster(r)
        self._required = is_sentinel(r)
        self._lock = threading.Lock()
        self._known = 0
        self._until = float("-inf")

    @property
    def clustered(self) -> bool:
        """A cluster client: no WAIT (see the module docstring)."""
        return self._cluster

    def replicas(self) -> int:
        """1 when a write must wait for a replica, else 0; with Sentinel and no replica
        connected, `ReplicaTimeout` at once (see the module docstring)."""
        if self._cluster:
            return 0
        known = self._connected()
        if self._required and not known:
            raise ReplicaTimeout(self.timeout_ms, "no replica connected to the primary")
        return known

    def _connected(self) -> int:
        """1 when the primary has a replica connected, else 0 (cached `refresh_s`)."""
        now = self.clock()
        if now < self._until:
            return self._known
        try:
            info: dict[str, Any] = dict(self.r.info("replication"))
        except redis.ResponseError:  # the embedded Redis: no replication at all
            info = {}
        online = [v for k, v in info.items() if k.startswith("slave") and isinstance(v, dict)
                  and v.get("state") == "online"]  # not one still loading its first sync
        known = 1 if info.get("role", "master") == "master" and online else 0
        with self._lock:
            if known != self._known and self._until != float("-inf"):
                log.warning("Redis-Replikat %s / Redis replica %s: writes %s", "verbunden" if known
                            else "fehlt", "connected" if known else "missing",
                            "wait for it (WAIT)" if known else "are refused (Sentinel)"
                            if self._required else "are acknowledged on the primary alone")
            self._known, self._until = known, now + self.refresh_s
        return known

    def execute(self, build: Callable[[Any], None]) -> list[Any]:
        """Run a pipeline of scripts `build` fills (plus a WAIT) and return its replies.

        redis-py loads a pipeline's scripts before it sends them, but its retry after a lost
        connection sends them again to wherever the connection now goes (the promoted replica,
        which has no scripts cached): every EVALSHA answers NOSCRIPT, nothing was written, and
        the pipeline is built and sent once more (loading the scripts there).
        """
        for attempt in range(2):
            pipe = self.r.pipeline(transaction=False)
            build(pipe)
            try:
                return list(pipe.execute())
            except redis.exceptions.NoScriptError:
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def wait(self, pipe: Any, replicas: int) -> None:
        """Append `WAIT replicas timeout` to `pipe` (the connection that wrote)."""
        pipe.execute_command("WAIT", replicas, self.timeout_ms)

    def check(self, acked: Any, replicas: int) -> None:
        """The WAIT reply: raise `ReplicaTimeout` if fewer replicas than asked confirmed."""
        if int(acked) < replicas:
            self._until = float("-inf")  # look again next time
            raise ReplicaTimeout(self.timeout_ms)
