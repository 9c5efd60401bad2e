"""Redis outages: recognise an unreachable Redis, say so once, and wait longer each time.

While Redis is down every loop and every scheduled job fails on every try. Logging each failure
with its traceback buried the one fact that matters (about 1,000 lines in 35 s), so a process
keeps one `Outage`: the first failure logs one line, the first success after it logs one line,
and whoever retries waits with a `Backoff` (0.5 s doubling to 10 s) instead of spinning.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import redis
from redis.exceptions import ClusterDownError, TryAgainError

from bot.store.replication import ReplicaTimeout

log = logging.getLogger(__name__)

# a write no replica confirmed (issue 15) is served like an outage: retried, never a crash;
# so is a cluster failing over (CLUSTERDOWN until a replica took over the slot, TRYAGAIN while
# a slot moves)
UNREACHABLE: tuple[type[Exception], ...] = (redis.ConnectionError, redis.TimeoutError,
                                            ReplicaTimeout, ClusterDownError, TryAgainError)


def unreachable(exc: BaseException) -> bool:
    """True if `exc` means Redis cannot be reached now (refused, reset, timed out, loading),
    or no replica confirmed a write (`ReplicaTimeout`)."""
    return isinstance(exc, UNREACHABLE)


class Outage:
    """One process's view of whether Redis is reachable; thread-safe (loop and jobs share it)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._since: float | None = None

    @property
    def down(self) -> bool:
        return self._since is not None

    def lost(self, exc: BaseException) -> None:
        """A call failed because Redis is unreachable: log it if this starts an outage."""
        with self._lock:
            if self._since is not None:
                return
            self._since = self._clock()
        log.warning("Redis nicht erreichbar, neuer Versuch mit wachsender Pause / Redis "
                    "unreachable, retrying with back-off (%s)", type(exc).__name__)

    def ok(self) -> None:
        """A call to Redis succeeded: log the end of an outage, if there was one."""
        if self._since is None:  # the common case, without the lock
            return
        with self._lock:
            since, self._since = self._since, None
        if since is not None:
            log.warning("Redis wieder erreichbar nach %.0f s / Redis reachable again after "
                        "%.0f s", self._clock() - since, self._clock() - since)


class Backoff:
    """Exponential pause between retries: `first`, doubled each failure, at most `cap` seconds."""

    def __init__(self, first: float = 0.5, cap: float = 10.0) -> None:
        self.first, self.cap = first, cap
        self._next = first

    def next(self) -> float:
        """The pause before the next try (then double it, up to `cap`)."""
        pause, self._next = self._next, min(self._next * 2, self.cap)
        return pause

    def reset(self) -> None:
        self._next = self.first
