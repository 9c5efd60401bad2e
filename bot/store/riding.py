"""Riding along: small writes (and reads) of a worker's intake, sent with its next round trip.

A card cost a dozen round trips to Redis, and on a busy worker each one costs more than its
commands (a pipeline's set-up, system calls, a thread switch while it waits). Some writes need
no answer and no order against the ones that follow: the day's counters, the search index,
the count of an API call, an audit entry. Inside `ride_along()` (the worker's intake of one
entry) such a write is queued by `later` instead of sent, and goes out in front of the next
round trip made with `pipelined` (issue 15: the item's `create`, the card's `start_card`,
`card_posted`) on the same connection, so a `WAIT` after it covers it too. What no round
trip took is sent when the block ends. Outside a block `later` sends at once (as before).

In a cluster a write rides only a round trip to its own slot (`pipelined` runs on the node of
one key); the others go when the block ends, in one cluster pipeline.

Reads can ride too (`soon`): a read the intake will make a moment later (what the card shows:
the channel's open incidents, the customer's earlier items) is asked for ahead and goes with
the next round trip; the store's read then takes the answer (`take`) instead of asking Redis
again. An answer is used once, within the block; a read no round trip took, or whose round
trip failed, is simply made when it is needed.

A block can hand what is left over to its caller instead (`hand_over`): the worker sends it
with the acknowledgement of its entry, a round trip shared by many entries (issue 15). Writes
that run a script (`later(..., script=True)`: the timers) are never handed over: they are sent
where their scripts can be loaded. A write a round trip answered with NOSCRIPT (the scripts
are gone after a restart) did not run and is queued again, like one whose slot moved.

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
from dataclasses import dataclass, field
from typing import Any

from redis.crc import key_slot
from redis.exceptions import AskError, ClusterDownError, MovedError, NoScriptError, TryAgainError

from bot.store.redis_client import is_cluster, node_client

log = logging.getLogger(__name__)

Build = Callable[[Any], object]  # puts commands into a pipeline
# a cluster node's "not here" (the slot moved or is moving), or a script the server does not
# have (restarted): the write did not run
_NOT_RUN = (MovedError, AskError, TryAgainError, ClusterDownError, NoScriptError)
MISSING: Any = object()  # `take`: no answer was fetched ahead


@dataclass(frozen=True)
class Rider:
    """Commands queued for the next round trip: a write, or a read ahead (`tag` set)."""

    key: str
    build: Build
    tag: str = ""
    script: bool = False  # it runs a script: sent where scripts load, never handed over


@dataclass
class _Block:
    queue: list[Rider] = field(default_factory=list)
    fetched: dict[tuple[str, str], Any] = field(default_factory=dict)  # (key, tag) -> answer


_block: ContextVar[_Block | None] = ContextVar("riding", default=None)


@contextmanager
def ride_along(r: Any, hand_over: Callable[[list[Build]], None] | None = None
               ) -> Iterator[None]:
    """Writes `later` queues and reads `soon` asks for inside (in this thread) ride the next
    round trip; the writes left are sent when the block ends, or given to `hand_over` when it
    ends normally (script-free ones; see the module docstring)."""
    block = _Block()
    token = _block.set(block)
    failed = True
    try:
        yield
        failed = False
    finally:
        _block.reset(token)
        writes = [rider for rider in block.queue if not rider.tag]
        if writes and hand_over is not None and not failed:
            hand_over([rider.build for rider in writes if not rider.script])
            writes = [rider for rider in writes if rider.script]
        if writes:
            try:
                send(r, writes)
            except Exception as exc:
                if not failed:
                    raise
                log.warning("%d queued writes not sent (%s)", len(writes), type(exc).__name__)


def later(r: Any, key: str, build: Build, *, script: bool = False) -> None:
    """Send the commands `build` puts into a pipeline with the next round trip (inside
    `ride_along`), else now. `key`: one key they write (in a cluster, all of them share its
    slot); `script`: they run a script."""
    rider = Rider(key, build, script=script)
    block = _block.get()
    if block is None:
        send(r, [rider])
    else:
        block.queue.append(rider)


def soon(key: str, tag: str, build: Build) -> None:
    """Inside `ride_along`: the read `build` puts into a pipeline (one command, on `key`) goes
    with the next round trip, for `take(key, tag)`; outside, nothing (the read is made when
    needed)."""
    block = _block.get()
    if block is not None:
        block.queue.append(Rider(key, build, tag))


def take(key: str, tag: str) -> Any:
    """The answer of the read `soon(key, tag)` asked for, once; `MISSING` if none arrived."""
    block = _block.get()
    if block is None:
        return MISSING
    return block.fetched.pop((key, tag), MISSING)


def board(key: str | None) -> list[Rider]:
    """Take the queued riders that may go with a round trip to `key`'s server (`key` None:
    any) off the queue; `seat` puts them into its pipeline, `arrived` or `alight` after."""
    block = _block.get()
    if block is None or not block.queue:
        return []
    slot = key_slot(key.encode()) if key is not None else None
    riders: list[Rider] = []
    stay: list[Rider] = []
    for rider in block.queue:
        (riders if slot is None or key_slot(rider.key.encode()) == slot else stay).append(rider)
    block.queue[:] = stay
    return riders


def seat(pipe: Any, riders: list[Rider]) -> list[int]:
    """Put `riders`' commands into `pipe`; returns how many each put (a read puts one)."""
    counts = []
    for rider in riders:
        before = len(pipe)
        rider.build(pipe)
        counts.append(len(pipe) - before)
    return counts


def alight(riders: list[Rider]) -> None:
    """The round trip `riders` rode got no answer (connection lost): the writes are queued
    again, sent when the block ends (at least once: they may have run); the reads are made
    when needed."""
    block = _block.get()
    if block is not None:
        block.queue[:0] = [x for x in riders if not x.tag]


def arrived(riders: list[Rider], counts: list[int], replies: list[Any]) -> None:
    """The round trip `riders` rode was answered (`replies`: theirs, `counts` per rider): the
    writes ran, whatever the carrier's own commands answered (a write Redis refused is logged,
    not sent again: it would fail again; one a cluster node refused because its slot moved is
    sent again when the block ends); a read's answer is kept for `take` (a refused read is
    made again when needed)."""
    block = _block.get()
    refused: list[Exception] = []
    at = 0
    for rider, n in zip(riders, counts, strict=True):
        mine, at = replies[at:at + n], at + n
        errors = [x for x in mine if isinstance(x, Exception)]
        if rider.tag:
            if block is not None and n == 1 and not errors:
                block.fetched[(rider.key, rider.tag)] = mine[0]
        elif block is not None and any(isinstance(x, _NOT_RUN) for x in errors):
            block.queue.append(rider)  # sent at the end, where the client finds its slot and
            # loads its scripts
        else:
            refused += errors
    if refused:
        log.warning("%d riding writes refused by Redis (%s)", len(refused),
                    type(refused[0]).__name__)


def send(r: Any, riders: list[Rider]) -> None:
    """Send `riders`' writes now, in one pipeline (its scripts loaded first where needed). In a
    cluster those that run a script go to their key's node, each in a pipeline of its own (a
    cluster pipeline refuses scripts)."""
    if is_cluster(r):
        for rider in [x for x in riders if x.script]:
            send_builds(node_client(r, rider.key), [rider.build])
        riders = [x for x in riders if not x.script]
    send_builds(r, [rider.build for rider in riders])


def send_builds(r: Any, builds: list[Build]) -> None:
    """The commands `builds` put into one pipeline, sent now (none: nothing)."""
    if not builds:
        return
    pipe = r.pipeline(transaction=False)
    for build in builds:
        build(pipe)
    pipe.execute()
