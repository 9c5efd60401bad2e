"""The worker: reads the mention stream as one consumer of the group, runs the intake, acks.

An entry is acknowledged only once its card is posted and recorded (or it was counted). If
the worker dies first, another worker reclaims the entry after `reclaim_idle_ms`; the intake
is idempotent, so nothing is posted twice. Finished entries are acknowledged together, with
their metrics (added up: one increment per field for the whole batch) and what their intakes
left to write (the audit entry: `riding.hand_over`), in one round trip (`_flush`): at once
when nothing else is queued here, else within 0.1 s or 64 entries (issue 15: a round trip
per entry less). Those writes go in front of the acknowledgement; if the round trip fails
they go with the next one (at least once).

Posting at Slack's ceiling: Slack takes about one post per second per channel, so a worker
that handled entries strictly one after another would leave channel B idle while it waits for
channel A's pace. Instead the reading loop hands each entry to the **lane** of the channel its
card (or thread line) goes to (`Intake.channel_for`), and lanes run side by side on up to
`lanes` threads (`bot.entry.lanes`): each channel gets its cards at its own 1 post/s while the
loop keeps reading. Within a lane entries start in stream order, and the channel's slot
(`bot.store.pacing`) is handed out in stream order across all workers (each read announces its
entries in their channels' lines), so a channel's cards appear in the order their mentions
arrived. With paced posts a lane runs one intake at a time; without pacing (a Slack stand-in
without limits, `SLACK_CHANNEL_INTERVAL_MS=0`) `LANE_DEPTH` intakes at once, each post
waiting for the intakes started before it (`Lanes.in_turn`), so a channel's next mention is
triaged and created while the card before it waits for Slack or a replica. A follow-up waits
in the lane of the mention it answers when that one is still in flight here, and starts only
once it is done.

The worker holds at most `window` entries (500; queued in lanes or being posted): once a hot
channel's backlog fills the window, the other channels' entries behind it in the stream wait
for it to drain. A full window is read into again once 100 entries are free, not after each
one, and while it is busy the worker looks for other workers' abandoned entries at most every
second (each read costs round trips of its own; under a backlog they were four per card).
Inside an entry's intake small writes and the card's reads ride along with the round trips
the intake makes anyway (`bot.store.riding`). Finding the lanes of a batch reads whether its
mentions have items yet (one round trip for the batch); for an entry delivered for the first
time that answer stands (the queue lets a mention in once), so its intake does not ask again.

Entries it holds stay its own: every `reclaim_idle_ms / 3` it resets their idle time
(`MentionQueue.touch`), so no other worker reclaims an entry that is only waiting for its
channel's turn. On stop, the entries not started yet are handed back to the group
(idle time set past `reclaim_idle_ms`, so another worker takes them at once) and the ones
being posted finish. `lanes=0` handles entries one after another in the reading thread (the
demo: the same output every time).

While Redis is unreachable the loop waits with a growing pause (0.5 s up to 10 s) and the
process logs one line when the outage starts and one when Redis is back (`bot.store.outage`).

Each step writes the worker's heartbeat (`bot.store.heartbeats`), and so do handled entries
(in the round trip that acknowledges them), each at most every second (every third of
`heartbeat_s` when that is shorter) and at least every `heartbeat_s` (HEARTBEAT_INTERVAL,
default 10 s): `/healthz` fails when no worker has beaten for three of those.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from functools import partial

from bot.desk import IntakeResult
from bot.desk.publisher import CardBusy, posting_as
from bot.entry.lanes import Lanes
from bot.entry.runtime import Runtime
from bot.store.metrics import Tally
from bot.store.outage import Backoff, unreachable
from bot.store.pacing import post_order
from bot.store.queue import Entry, consumer_name
from bot.store.riding import Build, ride_along, send_builds

log = logging.getLogger(__name__)

MAX_DELIVERIES = 5  # then the entry goes to the dead-letter stream instead of looping
READ_BATCH = 100    # entries per XREADGROUP; a full window reads again once this many are free
STOP_GRACE_S = 30.0  # how long a stopping worker lets the posts in flight finish
BEAT_EVERY_S = 1.0   # handled entries beat the heartbeat at most this often
FLUSH_AT = 64         # finished entries are acknowledged together: at most this many …
FLUSH_AFTER_S = 0.1   # … or this long after the last acknowledgement (see `_finish`)
TRIAGED = ("posted", "counted", "joined", "threaded")  # intake results that ran triage
LANE_DEPTH = 2  # intakes of one channel at once when its posts are not paced (see `Lanes`)


class Worker:
    """Consumes mentions; `run()` until `stop` is set."""

    def __init__(self, runtime: Runtime, name: str | None = None,
                 reclaim_idle_ms: int = 60_000, lanes: int = 8, window: int = 500,
                 heartbeat_s: float | None = None, depth: int | None = None) -> None:
        self.rt = runtime
        self.name = name or consumer_name()
        self.reclaim_idle_ms = reclaim_idle_ms
        self.heartbeat_s = heartbeat_s or runtime.settings.heartbeat_interval
        self.window = window
        self._first_step = True  # after a restart with the same name: own pending first
        if depth is None:  # a paced channel takes a post a second: one intake at a time is enough
            depth = 1 if runtime.pacer is not None else LANE_DEPTH
        self._lanes: Lanes[Entry] = Lanes(self._serve, threads=lanes, name=f"lane-{self.name}",
                                          depth=depth)
        self._lock = threading.Lock()
        self._held: set[str] = set()  # entry ids read and not finished (queued or posting)
        self._affinity: dict[tuple[str, str], str] = {}  # (network, mention/conversation) -> lane
        self._unseen: set[str] = set()  # new entries whose mention had no item when read
        self._announced: dict[str, str] = {}  # entry id -> the channel's line it is announced in
        self._acked = 0
        self._touched = time.monotonic()
        self._beaten = float("-inf")
        # finished, not yet acked: with what their intake left to write (`riding.hand_over`)
        self._done: list[tuple[Entry, IntakeResult | None, list[Build]]] = []
        self._unsent: list[Build] = []  # writes of acknowledged entries a failed flush kept
        self._flushed = time.monotonic()
        self._reclaimed = float("-inf")
        self.rt.queue.ensure_group()

    def handle(self, entry: Entry) -> bool:
        """Run the intake for one entry and count it; True when it may be acknowledged.

        A failed entry stays pending and is retried after `reclaim_idle_ms`; after
        `MAX_DELIVERIES` attempts it is parked in the dead-letter stream (kept, audited).
        """
        ok, result = self._intake(entry)
        if result is not None:
            try:
                tally = self.rt.metrics.tally()
                self._count(entry, result, tally)
                self.rt.metrics.add(tally)
            except Exception as exc:  # the card is posted: a lost count must not repeat it
                log.warning("metrics for %s not counted (%s)", entry.mention and
                            entry.mention.key, type(exc).__name__)
        return ok

    def _intake(self, entry: Entry) -> tuple[bool, IntakeResult | None]:
        """`handle` without the counting: (may be acknowledged, what the intake did)."""
        if entry.mention is None:
            self.rt.audit.record("worker", "intake", None, "rejected:undecodable",
                                 entry=entry.entry_id)
            return True, None
        try:
            with self._lock:
                unseen = entry.entry_id in self._unseen
            return True, self.rt.desk.intake(entry.mention, unseen=unseen)
        except CardBusy as busy:  # another live worker is posting this card: look again later
            log.info("%s: %s; looked at again in %d s", entry.mention.key, busy,
                     self.reclaim_idle_ms // 1000)
            return False, None
        except Exception as exc:
            if unreachable(exc):  # Redis (or its replica) went away mid-intake: retried, never
                self.rt.outage.lost(exc)  # parked in the dead-letter stream; one line per outage
                return False, None
            reason = _reason(exc)
            if self.rt.queue.deliveries(entry.entry_id) >= MAX_DELIVERIES:
                log.error("intake failed %d times for %s: parked in the dead-letter stream",
                          MAX_DELIVERIES, entry.mention.key)
                self.rt.queue.dead_letter(entry, reason)
                self.rt.audit.record("worker", "intake", None, "failed:dead_letter",
                                     mention=entry.mention.key, reason=reason)
                return False, None
            log.warning("intake failed for %s (%s); retried in %d s", entry.mention.key,
                        type(exc).__name__, self.reclaim_idle_ms // 1000)
            return False, None

    @staticmethod
    def _count(entry: Entry, result: IntakeResult, tally: Tally) -> None:
        """Metrics of one handled entry into `tally`: triaged (by sentiment), card posted,
        ingest → card."""
        assert entry.mention is not None
        network = entry.mention.network
        if result.action in TRIAGED:
            tally.count("mentions_triaged", network=network, sentiment=result.sentiment)
        if result.action == "posted":
            tally.count("cards_posted", network=network)
            queued_ms = int(entry.entry_id.partition("-")[0])
            tally.observe("ingest_to_card_seconds", time.time() - queued_ms / 1000,
                          network=network)

    def _finish(self, entry: Entry, result: IntakeResult | None,
                writes: list[Build] | None = None, at_once: bool = False) -> None:
        """`entry` is done: acknowledged with the next `_flush` (at once when no other entry is
        queued or running here or `at_once`, else within `FLUSH_AFTER_S` or `FLUSH_AT`
        entries), after the `writes` its intake left over."""
        with self._lock:
            self._done.append((entry, result, writes or []))
            due = (at_once or len(self._done) >= FLUSH_AT or len(self._lanes) <= 1
                   or time.monotonic() - self._flushed >= FLUSH_AFTER_S)
        if due:
            self._flush()

    def _flush(self) -> None:
        """Send what the finished entries' intakes left to write (the audit entry), then
        acknowledge them, count them and beat (when due): one round trip. The counts ride
        along: a failed count never keeps an entry (its card is out) from its ack. Not sent
        (Redis gone): the entries stay pending and are read again (the intake is idempotent),
        and their writes are sent with the next flush (at least once)."""
        with self._lock:
            done, self._done = self._done, []
            writes, self._unsent = self._unsent, []
            self._flushed = time.monotonic()
        writes += [build for _, _, left in done for build in left]
        if not done and not writes:
            return
        pipe = self.rt.redis.pipeline(transaction=False)
        for build in writes:
            build(pipe)
        first = len(pipe)
        if done:
            self.rt.queue.ack(*(entry.entry_id for entry, _, _ in done), client=pipe)
        tally = self.rt.metrics.tally()  # one increment per field for the whole batch
        for entry, result, _ in done:
            if result is not None:
                self._count(entry, result, tally)
        self.rt.metrics.add(tally, client=pipe)
        now = time.monotonic()
        # a long batch (Slack pacing) is not silence
        if now - self._beaten >= min(BEAT_EVERY_S, self.heartbeat_s / 3):
            self._beaten = now
            self.rt.heartbeats.beat(self.name, client=pipe)
        try:
            replies = pipe.execute(raise_on_error=False)
        except BaseException:
            with self._lock:
                self._unsent[:0] = writes
            raise
        refused = [r for r in replies[:first] if isinstance(r, Exception)]
        if refused:
            log.warning("%d writes of finished entries refused by Redis (%s)", len(refused),
                        type(refused[0]).__name__)
        if not done:
            return
        if isinstance(replies[first], Exception):
            raise replies[first]
        with self._lock:
            self._acked += len(done)
        failed = [r for r in replies[first + 1:] if isinstance(r, Exception)]
        if failed:
            log.warning("metrics of %d entries not counted (%s)", len(done),
                        type(failed[0]).__name__)

    def lane(self, entry: Entry) -> str:
        """The channel `entry` will post into: the lane it waits in."""
        m = entry.mention
        if m is None:
            return ""
        with self._lock:
            for ref in (m.in_reply_to, m.conversation_id):
                if ref and (lane := self._affinity.get((m.network, ref))) is not None:
                    return lane
        try:
            return self.rt.desk.intake.channel_for(m)
        except Exception as exc:  # the intake itself will fail and say why
            log.warning("no lane for %s (%s)", m.key, type(exc).__name__)
            return ""

    def _lanes_of(self, entries: list[Entry], new: frozenset[str] = frozenset()) -> list[str]:
        """`lane` of each entry, in order. The usual entry (a mention that answers none) is
        looked up together with the others (one round trip); a follow-up after the lanes of
        the entries before it, so it waits behind the mention it answers when that is here.
        Of the `new` entries (delivered for the first time) those whose mention has no item
        yet are noted, so their intake does not look again (`Intake.__call__`, `unseen`)."""
        plain = [m for e in entries if (m := e.mention) is not None
                 and not (m.in_reply_to or m.conversation_id)]
        try:
            channels = dict(zip([m.key for m in plain],
                                self.rt.desk.intake.channels_for(plain), strict=True))
        except Exception:  # one by one below; the intake itself will say what fails
            channels = {}
        out = []
        for entry in entries:
            m = entry.mention
            lane, unseen = channels.get(m.key, (None, False)) if m is not None else ("", False)
            if unseen and entry.entry_id in new:
                with self._lock:
                    self._unseen.add(entry.entry_id)
            if lane is None:
                lane = self.lane(entry)
            if m is not None:
                with self._lock:
                    for ref in (m.id, m.conversation_id):
                        if ref:
                            self._affinity[(m.network, ref)] = lane
            out.append(lane)
        return out

    @property
    def in_flight(self) -> int:
        """Entries read and not finished (queued in a lane or being posted)."""
        with self._lock:
            return len(self._held)

    def step(self, block_ms: int | None = 1000, count: int = 10) -> int:
        """Process what is there (reclaimed first, then new); returns entries acknowledged."""
        before = self._acked
        self.rt.heartbeats.beat(self.name)
        self._fill(block_ms, count)
        self._lanes.wait()
        self._flush()
        return self._acked - before

    def drain(self, block_ms: int = 100) -> int:
        """Process until the stream is empty (demo, tests)."""
        before = self._acked
        self.rt.heartbeats.beat(self.name)
        while True:
            held = self.in_flight
            if self._full(held):
                self._lanes.wait(self.window - self._batch + 1, timeout=0.05)
                continue
            read = self._fill(None if held else block_ms, self.window - held)
            if not read and not held:
                self._flush()
                return self._acked - before
            if not read:  # the stream is empty: wait for a batch to finish (or a while)
                self._lanes.wait(max(1, held - self._batch + 1), timeout=0.05)

    def run(self, stop: threading.Event, on_tick: Callable[[], None] | None = None) -> None:
        """Read until `stop` is set; on failure wait (growing pause), never spin or spew."""
        log.info("worker %s consuming mentions", self.name)
        backoff = Backoff()
        try:
            while not stop.is_set():
                try:
                    self._beat()
                    self._keep_held()
                    held = self.in_flight
                    if self._full(held):
                        self._lanes.wait(self.window - self._batch + 1, timeout=0.5)
                        continue
                    self._fill(self._block_ms, min(self.window - held, READ_BATCH))
                    self._flush()
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
        finally:
            self._stop()

    @property
    def _batch(self) -> int:
        """A full window reads again once this many entries are free (not after each one:
        each read costs round trips of its own)."""
        return max(1, min(READ_BATCH, self.window // 4))

    def _full(self, held: int) -> bool:
        """Holding `held` entries, the worker waits for a batch to be free before reading."""
        return held > 0 and self.window - held < self._batch

    def _reclaim_due(self) -> bool:
        """Other workers' abandoned entries are looked for on every read while this worker
        holds nothing, else every `reclaim_idle_ms / 4` (at most every second, at least every
        50 ms)."""
        every = max(0.05, min(1.0, self.reclaim_idle_ms / 4000))
        return not self.in_flight or time.monotonic() - self._reclaimed >= every

    def _beat(self) -> None:
        """The heartbeat, at most every `BEAT_EVERY_S` (a third of `heartbeat_s` if shorter)."""
        now = time.monotonic()
        if now - self._beaten >= min(BEAT_EVERY_S, self.heartbeat_s / 3):
            self._beaten = now
            self.rt.heartbeats.beat(self.name)

    def _fill(self, block_ms: int | None, count: int) -> int:
        """Read (own pending after a restart, reclaimed when due, new) into the lanes; returns
        how many."""
        own = self.rt.queue.pending_for(self.name) if self._first_step else []
        self._first_step = False
        entries = own
        if self._reclaim_due():
            self._reclaimed = time.monotonic()
            entries = entries + self.rt.queue.reclaim(self.name, self.reclaim_idle_ms)
        new: list[Entry] = []
        if count > 0:
            new = self.rt.queue.read(self.name, count=count, block_ms=block_ms)
        entries = entries + new
        with self._lock:
            fresh = [e for e in entries if e.entry_id not in self._held]  # not in a lane here
            self._held.update(e.entry_id for e in fresh)
        lanes = self._lanes_of(fresh, frozenset(e.entry_id for e in new))
        self._announce(fresh, lanes)
        for entry, lane in zip(fresh, lanes, strict=True):
            m = entry.mention  # a follow-up starts once the mention it answers is done here
            self._lanes.submit(lane, entry, alone=m is not None and bool(
                m.in_reply_to or m.conversation_id))
        return len(fresh)

    def _announce(self, entries: list[Entry], lanes: list[str]) -> None:
        """Put the entries read in their channels' lines before their intake (paced Slack only;
        `bot.store.pacing`, "Announced when read"). Best effort: without it only the order
        across workers may suffer, so a failure is logged and the entries go on."""
        pacer = self.rt.pacer
        if pacer is None:
            return
        pairs = [(lane, e.entry_id) for e, lane in zip(entries, lanes, strict=True) if lane]
        if not pairs:
            return
        try:
            pacer.announce(pairs)
        except Exception as exc:
            log.warning("%d entries not announced in their channels' lines (%s)", len(pairs),
                        type(exc).__name__)
            return
        with self._lock:
            self._announced.update((entry_id, lane) for lane, entry_id in pairs)

    def _serve(self, entry: Entry) -> None:
        """In the entry's lane: intake (posts queue by the entry's place in the stream), ack."""
        writes: list[Build] = []
        try:
            with (post_order(entry.entry_id, turn=self._lanes.in_turn), posting_as(self.name),
                  ride_along(self.rt.redis, hand_over=writes.extend)):
                ok, result = self._intake(entry)
            with self._lock:
                channel = self._announced.pop(entry.entry_id, None)
            if channel is not None and self.rt.pacer is not None:  # out of the line, if there
                writes.append(partial(self.rt.pacer.withdraw, channel, entry.entry_id))
            if ok:
                # an entry that posted nothing in its line holds the channel until withdrawn
                self._finish(entry, result, writes, at_once=channel is not None and (
                    result is None or result.action != "posted"))
            elif writes:  # not acknowledged: what it wrote goes now, as it would have
                send_builds(self.rt.redis, writes)
        except Exception as exc:
            if not unreachable(exc):
                raise
            self.rt.outage.lost(exc)  # unacknowledged: the entry is read again once Redis is back
        finally:
            with self._lock:
                self._held.discard(entry.entry_id)
                self._unseen.discard(entry.entry_id)
                self._announced.pop(entry.entry_id, None)
                if entry.mention is not None:
                    for ref in (entry.mention.id, entry.mention.conversation_id):
                        if ref:
                            self._affinity.pop((entry.mention.network, ref), None)

    @property
    def _block_ms(self) -> int:
        """How long a read waits for new entries: short enough to touch held entries and to
        beat the heartbeat in time."""
        return max(50, min(1000, self.reclaim_idle_ms // 6, int(self.heartbeat_s * 1000)))

    def _keep_held(self) -> None:
        """Reset the idle time of the entries this worker holds (see the module docstring)."""
        if time.monotonic() - self._touched < max(self.reclaim_idle_ms / 3000, 0.1):
            return
        self._touched = time.monotonic()
        with self._lock:
            held = sorted(self._held)
        if held:
            self.rt.queue.touch(self.name, held)

    def _stop(self) -> None:
        """Hand back the entries not started; let the ones being posted finish."""
        dropped = self._lanes.drop_queued()
        with self._lock:
            for entry in dropped:
                self._held.discard(entry.entry_id)
                self._unseen.discard(entry.entry_id)
                self._announced.pop(entry.entry_id, None)
        if dropped:
            try:
                self.rt.queue.touch(self.name, [e.entry_id for e in dropped],
                                    idle_ms=self.reclaim_idle_ms)
                log.info("worker %s stopping: %d entries handed back", self.name, len(dropped))
            except Exception as exc:  # they are reclaimed after reclaim_idle_ms anyway
                log.warning("could not hand back %d entries (%s)", len(dropped),
                            type(exc).__name__)
        waited = self._lanes.wait(timeout=STOP_GRACE_S)
        try:
            self._flush()
        except Exception as exc:  # read again by the next worker: the intake is idempotent
            log.warning("worker %s stopping: acknowledgements not sent (%s)", self.name,
                        type(exc).__name__)
        if not waited:
            log.warning("worker %s stopped with posts still in flight", self.name)


def _reason(exc: Exception) -> str:
    """A short, body-free description of why an intake failed (for logs and the audit)."""
    response = getattr(exc, "response", None)
    getter = getattr(response, "get", None)
    error = getter("error") if callable(getter) else None
    return f"{type(exc).__name__}: {error}" if error else type(exc).__name__
