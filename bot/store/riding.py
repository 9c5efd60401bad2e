"""Writes that ride along: small writes a worker's intake makes, sent with its next round trip.

A card costs a dozen round trips to Redis, and on a busy worker each one costs more than its
commands (a pipeline's set-up, a thread switch while it waits). Some writes need no answer
and no order against the ones that follow: the day's counters, the search index, the count
of an API call, an audit entry. Inside `ride_along()` (the worker's intake of one entry) such a write is
queued by `later` instead of sent, and goes out in front of the next round trip made with
`pipelined` (issue 15: the card's `start_card`, `card_posted`, the timers) on the same
connection, so a `WAIT` after it covers it too. What no round trip took is sent when the block
ends. Outside a block `later` sends at once (one round trip, as before).

In a cluster a write rides only a round trip to its own slot (`pipelined` runs on the node of
one key); the others go when the block ends, in one cluster pipeline.

A block that fails still sends what it queued (best effort: logged if that fails too), as the
writes would have been sent before the failure without it. A round trip that was answered
carried its riders, even when its own commands failed (a pipeline is not atomic); one that
got no answer (connection lost) puts them back, to be sent at the end (at least once). A
block that ends normally raises when the queued writes cannot be sent, so the work is not
acknowledged and is done again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from redis.crc import key_slot

log = logging.getLogger(__name__)

Build = Callable[[Any], object]  # puts commands into a pipeline
_queued: ContextVar[list[tuple[str, Build]] | None] = ContextVar("riding", default=None)


@contextmanager
def ride_along(r: Any) -> Iterator[None]:
    """Writes `later` queues inside (in this thread) ride the next round trip; the rest are
    sent when the block ends (see the module docstring)."""
    queue: list[tuple[str, Build]] = []
    token = _queued.set(queue)
    failed = True
    try:
        yield
        failed = False
    finally:
        _queued.reset(token)
        if queue:
            try:
                _send(r, [build for _, build in queue])
            except Exception as exc:
                if not failed:
                    raise
                log.warning("%d queued writes not sent (%s)", len(queue), type(exc).__name__)


def later(r: Any, key: str, build: Build) -> None:
    """Send the commands `build` puts into a pipeline with the next round trip (inside
    `ride_along`), else now. `key`: one key they write (in a cluster, all of them share its
    slot)."""
    queue = _queued.get()
    if queue is None:
        _send(r, [build])
    else:
        queue.append((key, build))


Riders = list[tuple[str, Build]]


def board(key: str | None) -> Riders:
    """Take the queued writes that may ride a round trip to `key`'s server (`key` None: any)
    off the queue; `seat` puts them into its pipeline, `alight` gives them back if it fails."""
    queue = _queued.get()
    if not queue:
        return []
    slot = key_slot(key.encode()) if key is not None else None
    riders = [(k, b) for k, b in queue if slot is None or key_slot(k.encode()) == slot]
    if riders:
        queue[:] = [kb for kb in queue if slot is not None and key_slot(kb[0].encode()) != slot]
    return riders


def seat(pipe: Any, riders: Riders) -> int:
    """Put `riders`' commands into `pipe`; returns how many commands they are."""
    before = len(pipe)
    for _, build in riders:
        build(pipe)
    return len(pipe) - before


def alight(riders: Riders) -> None:
    """The round trip `riders` rode got no answer (connection lost): queue them again, sent
    when the block ends (at least once: they may have run)."""
    queue = _queued.get()
    if queue is not None and riders:
        queue[:0] = riders


def arrived(riders: Riders, replies: list[Any]) -> None:
    """The round trip `riders` rode was answered: they ran, whatever the carrier's own
    commands answered. A rider Redis refused is logged (not sent again: it would fail again)."""
    failed = [x for x in replies if isinstance(x, Exception)]
    if failed:
        log.warning("%d of %d riding writes refused (%s)", len(failed), len(replies),
                    type(failed[0]).__name__)


def _send(r: Any, builds: list[Build]) -> None:
    pipe = r.pipeline(transaction=False)
    for build in builds:
        build(pipe)
    pipe.execute()
