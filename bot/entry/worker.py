"""The worker: reads the mention stream as one consumer of the group, runs the intake, acks.

An entry is acknowledged only once its card is posted and recorded (or it was counted). If
the worker dies first, another worker reclaims the entry after `reclaim_idle_ms`; the intake
is idempotent, so nothing is posted twice.

While Redis is unreachable the loop waits with a growing pause (0.5 s up to 10 s) and the
process logs one line when the outage starts and one when Redis is back (`bot.store.outage`).

Each step and each handled entry writes the worker's heartbeat (`bot.store.heartbeats`), at
least every `heartbeat_s` (HEARTBEAT_INTERVAL, default 10 s): `/healthz` fails when no worker
has beaten for three of those.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from bot.entry.runtime import Runtime
from bot.store.outage import Backoff, unreachable
from bot.store.queue import Entry, consumer_name

log = logging.getLogger(__name__)

MAX_DELIVERIES = 5  # then the entry goes to the dead-letter stream instead of looping


class Worker:
    """Consumes mentions; `run()` until `stop` is set."""

    def __init__(self, runtime: Runtime, name: str | None = None,
                 reclaim_idle_ms: int = 60_000, heartbeat_s: float | None = None) -> None:
        self.rt = runtime
        self.name = name or consumer_name()
        self.reclaim_idle_ms = reclaim_idle_ms
        self.heartbeat_s = heartbeat_s or runtime.settings.heartbeat_interval
        self._first_step = True  # after a restart with the same name: own pending first
        self.rt.queue.ensure_group()

    def handle(self, entry: Entry) -> bool:
        """Run the intake for one entry; True when it may be acknowledged.

        A failed entry stays pending and is retried after `reclaim_idle_ms`; after
        `MAX_DELIVERIES` attempts it is parked in the dead-letter stream (kept, audited).
        """
        if entry.mention is None:
            self.rt.audit.record("worker", "intake", None, "rejected:undecodable",
                                 entry=entry.entry_id)
            return True
        try:
            self.rt.desk.intake(entry.mention)
        except Exception as exc:
            reason = _reason(exc)
            if self.rt.queue.deliveries(entry.entry_id) >= MAX_DELIVERIES:
                log.error("intake failed %d times for %s: parked in the dead-letter stream",
                          MAX_DELIVERIES, entry.mention.key)
                self.rt.queue.dead_letter(entry, reason)
                self.rt.audit.record("worker", "intake", None, "failed:dead_letter",
                                     mention=entry.mention.key, reason=reason)
                return False
            log.warning("intake failed for %s (%s); retried in %d s", entry.mention.key,
                        type(exc).__name__, self.reclaim_idle_ms // 1000)
            return False
        return True

    def step(self, block_ms: int | None = 1000, count: int = 10) -> int:
        """Process what is there (reclaimed first, then new); returns entries acknowledged."""
        done = 0
        self.rt.heartbeats.beat(self.name)
        own = self.rt.queue.pending_for(self.name) if self._first_step else []
        self._first_step = False
        entries = (own + self.rt.queue.reclaim(self.name, self.reclaim_idle_ms)
                   + self.rt.queue.read(self.name, count=count, block_ms=block_ms))
        seen: set[str] = set()
        for entry in entries:
            if entry.entry_id in seen:
                continue
            seen.add(entry.entry_id)
            if self.handle(entry):
                self.rt.queue.ack(entry.entry_id)
                done += 1
            self.rt.heartbeats.beat(self.name)  # a long batch (Slack pacing) is not silence
        return done

    def drain(self, block_ms: int = 100) -> int:
        """Process until the stream is empty (demo, tests)."""
        total = 0
        while n := self.step(block_ms=block_ms):
            total += n
        return total

    def run(self, stop: threading.Event, on_tick: Callable[[], None] | None = None) -> None:
        """Step until `stop` is set; on failure wait (growing pause), never spin or spew."""
        log.info("worker %s consuming mentions", self.name)
        backoff = Backoff()
        block_ms = min(1000, max(10, int(self.heartbeat_s * 1000)))  # a step per interval at least
        while not stop.is_set():
            try:
                self.step(block_ms=block_ms)
                if on_tick:
                    on_tick()
            except Exception as exc:
                pause = backoff.next()
                if unreachable(exc):
                    self.rt.outage.lost(exc)  # one line per outage, no traceback
                else:
                    log.exception("worker step failed; retrying in %.1f s", pause)
                stop.wait(pause)
                continue
            backoff.reset()
            self.rt.outage.ok()


def _reason(exc: Exception) -> str:
    """A short, body-free description of why an intake failed (for logs and the audit)."""
    response = getattr(exc, "response", None)
    getter = getattr(response, "get", None)
    error = getter("error") if callable(getter) else None
    return f"{type(exc).__name__}: {error}" if error else type(exc).__name__
