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
the embedded Redis skips it. In a cluster the write and its WAIT go through the connection of
the node that owns the key's slot (the cluster client would send a WAIT to every primary on
other connections, which covers nothing), and the WAIT is made when that node has a replica.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import redis

from bot.store import riding
from bot.store.redis_client import is_cluster, is_sentinel, node_client

log = logging.getLogger(__name__)

WAIT_TIMEOUT_MS = 2000
REFRESH_S = 2.0


class ReplicaTimeout(redis.RedisError):
    """No replica confirmed a write in time: the write must not be acknowledged."""

    def __init__(self, timeout_ms: int, reason: str = "") -> None:
        super().__init__(reason or f"no replica confirmed the write within {timeout_ms} ms")
        self.timeout_ms = timeout_ms


@dataclass(frozen=True)
class Written:
    """The replies of `Replication.write` (without the WAIT's) and what the WAIT said."""

    replies: list[Any]
    replicas: int      # replicas asked for (0: no WAIT was made)
    acked: int         # replicas that confirmed
    timeout_ms: int

    def confirm(self, undo: Callable[[], object] | None = None) -> None:
        """Raise `ReplicaTimeout` if fewer replicas than asked confirmed, after `undo` (best
        effort: a mark that nothing acted on yet is taken back on the primary)."""
        if self.acked < self.replicas:
            if undo is not None:
                with contextlib.suppress(redis.RedisError):
                    undo()
            raise ReplicaTimeout(self.timeout_ms)


class Replication:
    """How many replicas to WAIT for, and writes that wait for them (`write`)."""

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
        self._known: dict[str, tuple[int, float]] = {}  # server -> (replicas, valid until)

    def replicas(self, client: redis.Redis) -> int:
        """1 when a write to `client`'s server must wait for a replica, else 0; with Sentinel
        and no replica connected, `ReplicaTimeout` at once (see the module docstring)."""
        known = self._connected(client)
        if self._required and not known:
            raise ReplicaTimeout(self.timeout_ms, "no replica connected to the primary")
        return known

    def write(self, key: str, build: Callable[[Any], object]) -> Written:
        """Run the commands `build` puts into a pipeline on the server that owns `key` (in a
        cluster: the primary of its slot, through its own connection) and, when it has a
        replica, `WAIT` on that same connection: the WAIT covers this write and every write
        before it on that server. Scripts are loaded where the pipeline lands (see
        `pipelined`); a slot that moved meanwhile is looked up again once."""
        for attempt in range(2):
            client = self._client_for(key)
            replicas = self.replicas(client)

            def full(pipe: Any, replicas: int = replicas) -> None:
                build(pipe)
                if replicas:  # on the connection that wrote
                    pipe.execute_command("WAIT", replicas, self.timeout_ms)

            try:
                res = pipelined(self.r, full, key)  # in a cluster: on `client`, key's node
            except (redis.exceptions.MovedError, redis.exceptions.AskError):
                if not self._cluster or attempt:
                    raise
                self.r.nodes_manager.initialize()  # type: ignore[attr-defined]
                continue
            acked = int(res.pop()) if replicas else 0
            if replicas and acked < replicas:
                self._forget(client)  # look again next time
            return Written(res, replicas, acked, self.timeout_ms)
        raise AssertionError("unreachable")

    def _client_for(self, key: str) -> redis.Redis:
        """The client of the server that holds `key`: the primary, or its cluster node."""
        return node_client(self.r, key) if self._cluster else self.r

    @staticmethod
    def _server(client: redis.Redis) -> str:
        """`host:port` the client connects to (":" for a Sentinel pool: whoever is primary)."""
        pool = getattr(client, "connection_pool", None)
        kwargs = getattr(pool, "connection_kwargs", {})
        return f"{kwargs.get('host', '')}:{kwargs.get('port', '')}"

    def _forget(self, client: redis.Redis) -> None:
        with self._lock:
            self._known.pop(self._server(client), None)

    def _connected(self, client: redis.Redis) -> int:
        """1 when `client`'s server is a primary with a replica online, else 0 (cached
        `refresh_s`)."""
        now, server = self.clock(), self._server(client)
        with self._lock:
            known, until = self._known.get(server, (0, float("-inf")))
        if now < until:
            return known
        try:
            info = cast("dict[str, Any]", client.info("replication"))
        except redis.ResponseError:  # the embedded Redis: no replication at all
            info = {}
        online = [v for k, v in info.items() if k.startswith("slave") and isinstance(v, dict)
                  and v.get("state") == "online"]  # not one still loading its first sync
        fresh = 1 if info.get("role", "master") == "master" and online else 0
        with self._lock:
            if fresh != known and until != float("-inf"):
                log.warning("Redis-Replikat %s / Redis replica %s: writes %s", "verbunden" if fresh
                            else "fehlt", "connected" if fresh else "missing",
                            "wait for it (WAIT)" if fresh else "are refused (Sentinel)"
                            if self._required else "are acknowledged on the primary alone")
            self._known[server] = (fresh, now + self.refresh_s)
        return fresh


def pipelined(client: Any, build: Callable[[Any], object], key: str = "") -> list[Any]:
    """Run a pipeline `build` fills (scripts among its commands) on `client`; its replies.
    In a cluster it runs on the node of `key`, which every key of the pipeline shares (a
    cluster pipeline refuses scripts).

    The first attempt sends its EVALSHAs straight away: the scripts are almost always cached,
    and redis-py would otherwise ask `SCRIPT EXISTS` first, one more round trip every time.
    Where they are not (a restarted Redis, or redis-py's retry after a lost connection sent
    them to the promoted replica), every EVALSHA answers NOSCRIPT and writes nothing; the
    pipeline is built and sent once more, with redis-py loading the scripts first. So a
    pipeline built here holds scripts, reads and idempotent writes only: its other commands
    may run twice. Writes queued by `bot.store.riding.later` ride in front, once (their
    replies are not returned); queued again only if the pipeline was not answered.
    """
    cluster = is_cluster(client)
    if cluster:
        client = node_client(client, key)
    riders = riding.board(key if cluster else None)  # queued writes go first (`bot.store.riding`)
    for attempt in range(2):
        pipe = client.pipeline(transaction=False)
        counts = riding.seat(pipe, riders)
        seated = sum(counts)
        build(pipe)
        if not attempt:
            pipe.scripts.clear()  # no SCRIPT EXISTS: NOSCRIPT is handled below
        try:
            replies = list(pipe.execute(raise_on_error=False))
        except BaseException:  # not sent, or no answer: the riders go again at the block's end
            riding.alight(riders)
            raise
        riding.arrived(riders, counts, replies[:seated])  # they ran (a pipeline is not atomic)
        riders = []
        own = replies[seated:]
        failed = next((x for x in own if isinstance(x, Exception)), None)
        if not isinstance(failed, redis.exceptions.NoScriptError) or attempt:
            if failed is not None:
                raise failed
            return own
    raise AssertionError("unreachable")
