"""Lanes: jobs keyed by a lane name, started in order per lane, lanes side by side.

The worker's lanes are Slack channels: a card for channel B must not wait while the thread
posting channel A's card sleeps for A's pace. Up to `threads` threads serve the lanes that
have work; a thread takes one job of a lane, runs it, and puts the lane back at the end of the
ready line (so more busy lanes than threads are served round-robin). Threads start on demand
and end after `idle_s` without work, so an idle `Lanes` costs nothing. With `threads=0` every
job runs at once in the submitting thread (one after another, in submission order: the demo's
deterministic output).

**Depth**: up to `depth` jobs of one lane run at once (1: strictly one after another). They
start in submission order, and a job that must not overtake the ones started before it calls
`in_turn()` first: it waits until all of them have finished (the worker does so before each
post, so a channel's posts keep their order while the work before them overlaps). This cannot
deadlock: the earliest running job of a lane never waits for its turn. A job submitted with
`alone=True` (a follow-up that needs its parent's card) starts only when no other job of its
lane is running.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass
class _Lane(Generic[T]):
    queue: deque[tuple[T, bool]] = field(default_factory=deque)  # (job, alone)
    running: int = 0
    started: int = 0          # tickets handed out: the n-th job started gets ticket n
    turn: int = 0             # every job with a smaller ticket has finished
    finished: set[int] = field(default_factory=set)  # finished tickets above `turn`
    waiting: dict[int, threading.Event] = field(default_factory=dict)  # ticket -> its turn came


class Lanes(Generic[T]):
    """Runs `run(job)` for submitted jobs; see the module docstring."""

    def __init__(self, run: Callable[[T], None], threads: int = 8, idle_s: float = 2.0,
                 name: str = "lane", depth: int = 1) -> None:
        if threads < 0:
            raise ValueError("threads must be 0 (inline) or more")
        if depth < 1:
            raise ValueError("depth must be 1 or more")
        self._run = run
        self.max_threads, self.idle_s, self.name, self.depth = threads, idle_s, name, depth
        lock = threading.Lock()
        self._cond = threading.Condition(lock)  # for `wait`: a job finished
        self._work = threading.Condition(lock)  # for idle threads: a lane is ready
        self._lanes: dict[str, _Lane[T]] = {}
        self._ready: deque[str] = deque()  # lanes with a job that may start now, no thread on it
        self._threads = 0
        self._idle = 0
        self._size = 0                     # jobs queued or running
        self._current = threading.local()  # (lane, ticket) of the job this thread runs

    def __len__(self) -> int:
        """Jobs queued or running."""
        with self._cond:
            return self._size

    def submit(self, lane: str, job: T, alone: bool = False) -> None:
        """Queue `job` behind the other jobs of `lane` (threads=0: run it now); `alone`: start it
        only when no other job of the lane runs."""
        if not self.max_threads:
            self._run(job)
            return
        with self._cond:
            state = self._lanes.setdefault(lane, _Lane())
            state.queue.append((job, alone))
            self._size += 1
            if len(state.queue) == 1 and self._may_start(state) and lane not in self._ready:
                self._ready.append(lane)
            if len(self._ready) > self._idle and self._threads < self.max_threads:
                self._threads += 1
                threading.Thread(target=self._serve, name=f"{self.name}-{self._threads}",
                                 daemon=True).start()
            elif self._ready:
                self._work.notify()  # one idle thread, not all of them

    def in_turn(self) -> None:
        """In a job: wait until every job of its lane started before it has finished. Outside
        a job (or with depth 1, where that always holds) it returns at once."""
        current = getattr(self._current, "job", None)
        if current is None:
            return
        lane, ticket = current
        with self._cond:
            state = self._lanes[lane]
            if state.turn >= ticket:
                return
            came = state.waiting[ticket] = threading.Event()  # set by `_done`: no herd woken
        came.wait()

    def wait(self, below: int = 1, timeout: float | None = None) -> bool:
        """Wait until fewer than `below` jobs are queued or running; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: self._size < below, timeout)

    def drop_queued(self) -> list[T]:
        """Take back every job not started yet (to stop); running jobs finish."""
        with self._cond:
            dropped = [job for state in self._lanes.values() for job, _ in state.queue]
            for state in self._lanes.values():
                state.queue.clear()
            self._ready.clear()
            self._size -= len(dropped)
            self._cond.notify_all()
            self._work.notify_all()
            return dropped

    def _may_start(self, state: _Lane[T]) -> bool:
        """The lane's next job may start now (called with the lock held)."""
        if not state.queue or state.running >= self.depth:
            return False
        return not (state.queue[0][1] and state.running)

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
                state = self._lanes[lane]
                job, _ = state.queue.popleft()
                ticket, state.started = state.started, state.started + 1
                state.running += 1
                if self._may_start(state):  # its next job may run beside this one
                    self._ready.append(lane)
                    if self._idle:
                        self._work.notify()
            self._current.job = (lane, ticket)
            try:
                self._run(job)
            except Exception:
                log.exception("lane %s: job failed", lane)
            finally:
                self._current.job = None
                with self._cond:
                    self._done(lane, state, ticket)

    def _done(self, lane: str, state: _Lane[T], ticket: int) -> None:
        """Job `ticket` of `lane` finished (called with the lock held)."""
        state.running -= 1
        self._size -= 1
        state.finished.add(ticket)
        while state.turn in state.finished:
            state.finished.discard(state.turn)
            state.turn += 1
        came = state.waiting.pop(state.turn, None)
        if came is not None:
            came.set()
        if self._may_start(state) and lane not in self._ready:
            self._ready.append(lane)  # this thread looks again itself
            if len(self._ready) > 1 and self._idle:
                self._work.notify()
        elif not state.queue and not state.running:
            del self._lanes[lane]
        self._cond.notify_all()  # `wait`ers (the reading loop)
