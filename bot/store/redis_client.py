"""The one place a Redis client is built: single server, Sentinel-watched primary, or Cluster.

- `single` (default): `REDIS_URL`, or an embedded fakeredis when it is unset.
- `sentinel`: `REDIS_SENTINELS=host:port,…` and `REDIS_SENTINEL_MASTER=name`; redis-py's
  `Sentinel.master_for` asks the sentinels for the primary on every new connection, so after a
  failover each process finds the new primary by itself (a connection to the old primary that
  answers READONLY is dropped and made again).
- `cluster`: `REDIS_URL` names any node; redis-py's `RedisCluster` learns the slot map and
  follows MOVED/ASK itself. Every key one script or transaction touches carries the same hash
  tag (`bot.store.keys`).

Every mode retries a command that lost its connection (refused, reset, timed out, the primary
gone mid-failover) with exponential back-off for `RETRY_WINDOW_S` (0.5 s on one server, 4 s in
the other modes) before the error reaches the caller, which then takes the outage path
(`bot.store.outage`: 503 with a reason, a short private answer in Slack, loops back off).

Stores are typed against `redis.Redis`; the cluster client offers the same commands, so it is
handed to them as one (`cast`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import redis
from redis.backoff import ExponentialBackoff
from redis.cluster import RedisCluster
from redis.exceptions import BusyLoadingError, ClusterDownError, TryAgainError
from redis.retry import Retry
from redis.sentinel import MasterNotFoundError, Sentinel, SentinelConnectionPool

if TYPE_CHECKING:
    import fakeredis

MODES = ("single", "sentinel", "cluster")
# how long one command keeps retrying a lost connection: a blip on one server; a failover
# (sentinel: the sentinels agree the primary is down, promote the replica) or a slot moving
RETRY_WINDOW_S = {"single": 0.5, "sentinel": 4.0, "cluster": 4.0}
SOCKET_TIMEOUT_S = 10.0  # a command that gets no answer (the primary froze) fails after this

_embedded_server: fakeredis.FakeServer | None = None


def retry_policy(window_s: float) -> Retry:
    """Exponential back-off (50 ms doubling, at most 1 s per pause) for about `window_s`."""
    pauses, total, pause = 0, 0.0, 0.05
    while total < window_s:
        total += min(pause, 1.0)
        pause *= 2
        pauses += 1
    return Retry(ExponentialBackoff(cap=1.0, base=0.05), pauses,
                 supported_errors=(redis.ConnectionError, redis.TimeoutError,
                                   BusyLoadingError, MasterNotFoundError, ClusterDownError,
                                   TryAgainError))


def _config_error(variable: str, reason: str) -> Exception:
    from bot.errors import ConfigError

    return ConfigError(variable, reason)


def sentinel_addresses(value: str) -> list[tuple[str, int]]:
    """`host:port,host:port` -> [(host, port), …]; a ConfigError naming REDIS_SENTINELS."""
    out: list[tuple[str, int]] = []
    for part in (p.strip() for p in value.split(",")):
        host, _, port = part.rpartition(":")
        if not part:
            continue
        if not host or not port.isdigit():
            raise _config_error("REDIS_SENTINELS", f"{part!r} is not host:port "
                                "(e.g. 10.0.0.1:26379,10.0.0.2:26379,10.0.0.3:26379)")
        out.append((host.strip("[]"), int(port)))
    if not out:
        raise _config_error("REDIS_SENTINELS", "required with REDIS_MODE=sentinel "
                            "(e.g. 10.0.0.1:26379,10.0.0.2:26379,10.0.0.3:26379)")
    return out


def connect(url: str = "", *, mode: str = "single", sentinels: str = "", master: str = "",
            password: str = "", retry_window_s: float | None = None) -> redis.Redis:
    """The client for `mode` (see the module docstring); with no URL in single mode, an
    in-process Redis shared by this process."""
    if mode not in MODES:
        raise _config_error("REDIS_MODE", f"{mode!r} is not one of {', '.join(MODES)}")
    window = RETRY_WINDOW_S[mode] if retry_window_s is None else retry_window_s
    common = {"decode_responses": True, "retry": retry_policy(window),
              "socket_timeout": SOCKET_TIMEOUT_S, "socket_connect_timeout": 2.0}
    if mode == "sentinel":
        if not master:
            raise _config_error("REDIS_SENTINEL_MASTER", "required with REDIS_MODE=sentinel "
                                "(the name the sentinels monitor, e.g. mymaster)")
        watch = Sentinel(sentinel_addresses(sentinels), socket_timeout=2.0,  # type: ignore[no-untyped-call]
                         socket_connect_timeout=1.0)
        primary = watch.master_for(master, password=password or None,  # type: ignore[no-untyped-call]
                                   health_check_interval=30, **common)
        return cast("redis.Redis", primary)
    if mode == "cluster":
        if not url:
            raise _config_error("REDIS_URL", "required with REDIS_MODE=cluster: any node, "
                                "e.g. redis://10.0.0.1:7000/0")
        try:
            cluster = RedisCluster.from_url(url, password=password or None, **common)
        except ValueError as exc:
            raise _config_error("REDIS_URL", f"{exc} (e.g. redis://10.0.0.1:7000/0)") from None
        return cast("redis.Redis", cluster)
    if url:
        try:
            return redis.Redis.from_url(url, health_check_interval=30,
                                        **({"password": password} if password else {}), **common)
        except ValueError as exc:
            raise _config_error("REDIS_URL", f"{exc} (e.g. redis://localhost:6379/0)") from None
    import fakeredis

    global _embedded_server
    if _embedded_server is None:
        _embedded_server = fakeredis.FakeServer()
    return fakeredis.FakeRedis(server=_embedded_server, decode_responses=True)


def is_sentinel(r: redis.Redis) -> bool:
    """True for a client of a Sentinel-watched primary (a replica is part of the setup)."""
    return isinstance(getattr(r, "connection_pool", None), SentinelConnectionPool)


def is_cluster(r: redis.Redis) -> bool:
    """True for a cluster client (no WAIT routing, no multi-slot commands)."""
    return isinstance(r, RedisCluster)


def node_client(r: Any, key: str) -> redis.Redis:
    """The client of the cluster node that owns `key`'s slot."""
    return cast("redis.Redis", r.get_redis_connection(r.get_node_from_key(key)))
