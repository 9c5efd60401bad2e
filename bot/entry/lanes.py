"""Lanes: jobs keyed by a lane name, one at a time and in order per lane, lanes side by side.

The worker's lanes are Slack channels: a card for channel B must not wait while the thread
posting channel A's card sleeps for A's pace. Up to `threads` threads serve the lanes that
have work; a thread takes one job of a lane, runs it, and puts the lane back at the end of the
ready line (so more busy lanes than threads are served round-robin). A lane is never served
by two threads at once, so its jobs run strictly in submission order. Threads start on demand
and end after `idle_s` without work, so an idle `Lanes` costs nothing. With `threads=0` every
job runs at once in the submitting thread (one after another, in submission order: the demo's
deterministic output).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class Lanes(Generic[T]):
    """Runs `run(job)` for submitted jobs; see the module docstring."""

    def __init__(self, run: Callable[[T], None], threads: int = 8, idle_s: float = 2.0,
                 name: str = "lane") -> None:
        if threads < 0:
            raise ValueError("threads must be 0 (inline) or more")
        self._run = run
        self.max_threads, self.idle_s, self.name = threads, idle_s, name
        lock = threading.Lock()
        self._cond = threading.Condition(lock)  # for `wait`: a job finished
        self._work = threading.Condition(lock)  # for idle threads: a lane is ready
        self._queues: dict[str, deque[T]] = {}
        self._ready: deque[str] = deque()  # lanes with queued jobs and no thread on them
        self._busy: set[str] = set()       # lanes a thread is running a job of
        self._threads = 0
        self._idle = 0
        self._size = 0                     # jobs queued or running

    def __len__(self) -> int:
        """Jobs queued or running."""
        with self._cond:
            return self._size

    def submit(self, lane: str, job: T) -> None:
        """Queue `job` behind the other jobs of `lane` (threads=0: run it now)."""
        if not self.max_threads:
            self._run(job)
            return
        with self._cond:
            queue = self._queues.setdefault(lane, deque())
            queue.append(job)
            self._size += 1
            if lane not in self._busy and len(queue) == 1:
                self._ready.append(lane)
            if len(self._ready) > self._idle and self._threads < self.max_threads:
                self._threads += 1
                threading.Thread(target=self._serve, name=f"{self.name}-{self._threads}",
                                 daemon=True).start()
            elif self._ready:
                self._work.notify()  # one idle thread, not all of them

    def wait(self, below: int = 1, timeout: float | None = None) -> bool:
        """Wait until fewer than `below` jobs are queued or running; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: self._size < below, timeout)

    def drop_queued(self) -> list[T]:
        """Take back every job not started yet (to stop); running jobs finish."""
        with self._cond:
            dropped = [job for queue in self._queues.values() for job in queue]
            for queue in self._queues.values():
                queue.clear()
            self._ready.clear()
            self._size -= len(dropped)
            self._cond.notify_all()
            self._work.notify_all()
            return dropped

    def _serve(self) -> None:
        while True:
            with self._cond:
                while not self._ready:
                    self._idle += 1
                    woken = self._work.wait(self.idle_s)
                    self._idle -= 1
                    if not woken and not self._ready:
                        self._threads -= 1
                        return
                lane = self._ready.popleft()
                job = self._queues[lane].popleft()
                self._busy.add(lane)
            try:
                self._run(job)
            except Exception:
                log.exception("lane %s: job failed", lane)
            finally:
                with self._cond:
                    self._busy.discard(lane)
                    self._size -= 1
                    if self._queues.get(lane):
                        self._ready.append(lane)  # this thread looks again itself: no notify
                    else:
                        self._queues.pop(lane, None)
                    self._cond.notify_all()  # `wait`ers (the reading loop), not the threads
