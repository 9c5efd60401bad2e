"""Response-target watch: warn before the due time, ping the leads at breach, and again.

`TargetWatch` is the desk's `TimerPort` (`start`/`stop`) plus `tick(now)`, the job every
worker runs about once a second. Entries live in Redis (`bot.store.timers`) and are claimed
atomically, so with several workers each warning and each escalation fires once; a worker
that was down fires what came due meanwhile when it is back. Firing marks the card; `tick`
then updates marked cards within a per-minute budget shared by all workers (`chat.update` is
Tier 3), so the latest state wins and no card is updated once per tick. The same budget, what
is left of it, redraws the live countdown on open cards (issue 13, `bot.desk.countdown`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.clock import BusinessClock
from bot.config import DeskConfig
from bot.desk.countdown import counts_down, next_redraw
from bot.desk.publisher import Publisher
from bot.durations import format_duration
from bot.markup import lead_ping, mention
from bot.messages import say
from bot.models import OPEN_STATES, Item, State
from bot.store import ItemStore
from bot.store.timers import TimerEntry, TimerStore

log = logging.getLogger(__name__)

__all__ = ["NO_ANSWER", "TargetWatch", "TickReport", "gen_of", "waiting_until"]


def gen_of(due: datetime) -> int:
    """The generation of a due time: epoch milliseconds."""
    return round(due.timestamp() * 1000)


NO_ANSWER = "no_answer_from_customer"  # the reason an unanswered wait closes with


def waiting_until(item: Item) -> datetime | None:
    """When an item waiting for its customer gives up; None if it is not waiting."""
    until = item.extra.get("wait_until")
    return datetime.fromisoformat(until) if item.state == State.WAITING and until else None


def _holder(item: Item, lang: str) -> str:
    return mention(item.holder) if item.holder else say("timer.nobody", lang)


@dataclass(frozen=True)
class TickReport:
    fired: int = 0
    skipped: int = 0  # no longer applies: closed, restarted clock, warning after the due time
    failed: int = 0
    cards: int = 0
    warned: int = 0  # of `fired`: warnings, first escalations, repeated escalations
    breached: int = 0
    again: int = 0


class TargetWatch:
    """Schedules, claims and fires the warn/breach entries of open items."""

    def __init__(
        self,
        store: TimerStore,
        items: ItemStore,
        config: DeskConfig,
        publisher: Publisher,
        clock: BusinessClock,
        *,
        now: Callable[[], datetime],
        lease_s: float = 300.0,
        batch: int = 25,
        max_per_tick: int = 1000,
        card_updates_per_minute: int = 30,
        cards_per_tick: int = 5,
        defer_s: float = 5.0,
    ) -> None:
        self.store, self.items, self.config, self.publisher = store, items, config, publisher
        self.clock, self.now = clock, now
        self.lease_s, self.batch, self.max_per_tick = lease_s, batch, max_per_tick
        self.card_updates_per_minute, self.cards_per_tick = card_updates_per_minute, cards_per_tick
        self.defer_s = defer_s
        self.lang = config.language

    # ----- TimerPort ------------------------------------------------------------------------
    def start(self, item: Item, *, ride: bool = False) -> None:
        """(Re)schedule the warning and the breach for `item.due_at`; idempotent. An item
        waiting for its customer gets its end-of-wait entry instead (no warning, no breach).
        `ride`: with the next round trip of the worker's intake, not one of its own."""
        until = waiting_until(item)
        if until is not None:
            self.store.schedule(item.number, {TimerEntry(item.number, "wait", gen_of(until)):
                                              until.timestamp()}, ride=ride)
            return
        if item.state not in OPEN_STATES or item.due_at is None:
            self.stop(item.number)
            return
        target = self.config.target_for(item.mention.network)
        warn = min(self.clock.add(self._started(item), target * self.config.warn_at), item.due_at)
        gen = gen_of(item.due_at)
        self.store.schedule(item.number, {
            TimerEntry(item.number, "warn", gen): warn.timestamp(),
            TimerEntry(item.number, "breach", gen): item.due_at.timestamp(),
        }, countdown=self._countdown_at(item, self.now()), ride=ride)

    def stop(self, number: int) -> None:
        self.store.stop(number)
        self.store.schedule_countdown(number, None)

    def _schedule_countdown(self, item: Item, now: datetime) -> None:
        """Schedule the next redraw of the card of `item` for its countdown."""
        self.store.schedule_countdown(item.number, self._countdown_at(item, now))

    def _countdown_at(self, item: Item, now: datetime) -> float | None:
        """When the card of `item` next needs a redraw for its countdown (`bot.desk.countdown`,
        epoch s); none for a closed, breached or incident member item."""
        at = None
        if counts_down(item) and item.due_at is not None:
            at = next_redraw(self.clock, item.due_at, now)
        return at.timestamp() if at else None

    @staticmethod
    def _started(item: Item) -> datetime:
        """When the current response clock started (a follow-up restarts it)."""
        since = item.extra.get("pending_since")
        if since:
            return datetime.fromisoformat(since)
        return min(item.mention.created_at, item.seen_at or item.mention.created_at)

    # ----- the job --------------------------------------------------------------------------
    def tick(self, now: datetime | None = None) -> TickReport:
        """Fire every entry due at `now` (claimed once across workers), then update cards."""
        now = now or self.now()
        fired = skipped = failed = 0
        kinds = {"warn": 0, "breach": 0, "again": 0}
        while fired + skipped + failed < self.max_per_tick:
            entries = self.store.claim(now.timestamp(), self.lease_s, self.batch)
            for entry in entries:
                try:
                    result = self.fire(entry, now)
                    if result is None:  # no card to thread under yet: try again shortly
                        self.store.defer(entry, now.timestamp() + self.defer_s)
                        continue
                    if result:
                        fired += 1
                        kinds["warn" if entry.kind == "warn"
                              else "breach" if entry.level <= 1 else "again"] += 1
                    else:
                        skipped += 1
                    self.store.done(entry)
                except Exception:  # the lease runs out and a later tick tries again
                    log.exception("timer %s failed; retried after its lease", entry.member)
                    failed += 1
            if len(entries) < self.batch:
                break
        return TickReport(fired, skipped, failed, self.flush_cards(now), kinds["warn"],
                          kinds["breach"], kinds["again"])

    def fire(self, entry: TimerEntry, now: datetime) -> bool | None:
        """Post the warning or escalation of a claimed entry.

        False if it no longer applies; None if the item has no card yet (fire it later).
        """
        item = self.items.get(entry.number)
        if entry.kind == "wait":
            return self._wait_over(item, entry, now)
        if item is None or item.due_at is None or gen_of(item.due_at) != entry.gen:
            return False  # gone, or a follow-up restarted the clock: a newer entry exists
        if not item.card_ts and item.is_open:
            return None
        if entry.kind == "warn":
            return self._warn(item, now)
        return self._breach(item, entry, now)

    def _mark(self, item: Item, timer_state: str) -> bool:
        """Set the countdown state if the item is still open (atomic check in Redis)."""
        t = self.items.transition(item.number, allowed=OPEN_STATES, timer_state=timer_state)
        if t.ok:
            self.store.mark_card(item.number)
        return t.ok

    def _warn(self, item: Item, now: datetime) -> bool:
        assert item.due_at is not None
        if now >= item.due_at or item.timer_state == "breached":
            return False  # came due late (worker down): the breach says it all
        if not self._mark(item, "warned"):
            return False
        due, holder = item.due_at, _holder(item, self.lang)

        def text() -> str:  # worked out when sent: posts into a busy channel wait their turn
            left = format_duration(self.clock.elapsed(min(self.now(), due), due), self.lang)
            return say("timer.warn", self.lang, number=item.number, left=left, holder=holder)

        self.publisher.post_thread(item, text)
        return True

    def _breach(self, item: Item, entry: TimerEntry, now: datetime) -> bool:
        assert item.due_at is not None
        if not self._mark(item, "breached"):
            return False
        if entry.level == 1:  # the summary's "breached without an answer" (issue 13)
            self.publisher.audit.record("timer", "breach", item.number, "ok",
                                        due=item.due_at.isoformat())
        target = self.config.target_for(item.mention.network)
        level = entry.level + 1  # the next full target after now (a worker was down: once)
        while (at := self.clock.add(item.due_at, target * (level - 1))) <= now:
            level += 1
        self.store.add(TimerEntry(item.number, "breach", entry.gen, level), at.timestamp())
        leads, holder = lead_ping(self.config.leads, self.lang), _holder(item, self.lang)
        if entry.level == 1:
            text = say("timer.breach", self.lang, number=item.number, leads=leads, holder=holder,
                       target=format_duration(target, self.lang))
        else:
            late = format_duration(self.clock.elapsed(item.due_at, now), self.lang)
            text = say("timer.again", self.lang, number=item.number, leads=leads, holder=holder,
                       late=late)
        self.publisher.post_thread(item, text)
        return True

    def _wait_over(self, item: Item | None, entry: TimerEntry, now: datetime) -> bool:
        """`wait_max` passed without a word from the customer: close the item, once (the
        entry is claimed by one worker, and the close is a compare-and-set on `waiting`)."""
        until = waiting_until(item) if item else None
        if item is None or until is None or gen_of(until) != entry.gen:
            return False  # the customer wrote (reopened), or the wait was ended otherwise
        at = now.isoformat()
        t = self.items.transition(item.number, allowed=(State.WAITING,), close=True,
                                  state=State.RESOLVED.value, reason=NO_ANSWER,
                                  resolved_at=at, closed_at=at, timer_state="")
        if not t.ok:
            return False
        self.publisher.audit.record("watch", "wait_expired", item.number, "ok", reason=NO_ANSWER,
                                    waiting_since=item.extra.get("waiting_since", ""))
        self.store.mark_card(item.number)
        self.publisher.thread_line(item, "thread.wait_over", number=item.number,
                                   holder=_holder(item, self.lang),
                                   since=self.publisher.local(item.extra.get("waiting_since")))
        return True

    def flush_cards(self, now: datetime) -> int:
        """Update marked cards to their current state, then cards whose countdown changed,
        within the shared per-minute budget; each updated card's next countdown redraw is
        scheduled from what it now shows."""
        minute = int(now.timestamp() // 60)
        numbers = self.store.take_cards(minute, self.card_updates_per_minute, self.cards_per_tick,
                                        now=now.timestamp())
        for number in numbers:
            try:
                self.publisher.update_card(number)
            except Exception:
                log.warning("card update for #%s failed; will retry", number)
                self.store.mark_card(number)
                continue
            item = self.items.get(number)
            if item is not None:
                self._schedule_countdown(item, now)
        return len(numbers)
