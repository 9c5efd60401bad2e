"""The desk's side of the board: cards, thread lines and App Home after every change.

Best effort after a change: the desk state is already written, so a Slack failure only marks
the card for the worker's coalesced update (`TimerStore.mark_card`) and is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.clock import BusinessClock
from bot.desk.countdown import countdown, counts_down
from bot.desk.outcomes import Card, Contacts, Countdown, Home, IncidentView
from bot.desk.ports import Board
from bot.messages import say
from bot.models import Item, first_response
from bot.store import AuditLog, ItemStore
from bot.store.queue import consumer_name
from bot.store.timers import TimerStore

log = logging.getLogger(__name__)

CARD_LEASE_S = 60.0       # a card being posted is another poster's for this long at least
CARD_LEASE_MAX_S = 300.0  # and for this long while that poster's process is alive
_poster: ContextVar[str] = ContextVar("card_poster", default="")


class CardBusy(Exception):
    """Another poster (`holder`) is posting this item's card: try again later."""

    def __init__(self, number: int, holder: str) -> None:
        super().__init__(f"card #{number} is being posted by {holder}")
        self.number, self.holder = number, holder


class ItemGone(LookupError):
    """The item whose card is to be posted is not in Redis (any more).

    Inside the intake that has just created it, this means the creation was lost: Redis failed
    over between the creation (on the old primary, not yet on its replica) and the card's
    start (retried on the promoted replica). The intake fails, its entry stays pending and is
    taken in again, so the mention still becomes one card (issue 15)."""

    def __init__(self, number: int) -> None:
        super().__init__(f"item #{number} is not in Redis (lost in a failover, or erased)")
        self.number = number


@contextmanager
def posting_as(name: str) -> Iterator[None]:
    """Cards posted inside (in this thread) are posted as `name` (a worker's heartbeat name,
    so others can tell whether it is alive); default: this process's consumer name."""
    token = _poster.set(name)
    try:
        yield
    finally:
        _poster.reset(token)


class IncidentFacts(Protocol):
    """What a card needs to know about incidents (`bot.desk.incidents.Incidents`)."""

    def view(self, incident: Item) -> IncidentView: ...

    def open_in(self, channel: str) -> int | None: ...

    def open_in_soon(self, channel: str) -> None: ...


class Publisher:
    """Shows the desk's state on the board; tells the story of each action in its thread."""

    def __init__(self, items: ItemStore, audit: AuditLog, board: Board, dirty: TimerStore,
                 clock: BusinessClock, lang: str, now: Callable[[], datetime],
                 home: Callable[[str], Home], incidents: IncidentFacts | None = None,
                 history: Callable[[Item], Contacts | None] | None = None,
                 timezone: str = "Europe/Berlin") -> None:
        self.items, self.audit, self.board, self.dirty = items, audit, board, dirty
        self.clock, self.lang, self.now = clock, lang, now
        self.home = home
        self.incidents = incidents
        self.history = history  # the customer's earlier contacts on the card (issue 16)
        self.history_soon: Callable[[Item], None] | None = None  # its first read, asked ahead
        self.tz = ZoneInfo(timezone)
        self.alive: Callable[[str], bool] = lambda poster: False  # a worker's heartbeat is fresh

    def local(self, iso: str | None) -> str:
        """A stored time (ISO) as the desk's people read it: `24.11. 09:15` in its zone."""
        if not iso:
            return "–"
        return datetime.fromisoformat(iso).astimezone(self.tz).strftime("%d.%m. %H:%M")

    def card(self, item: Item) -> Card:
        card = self._card(item)
        if self._shows_history(item):
            assert self.history is not None
            return replace(card, history=self.history(item))
        return card

    def _shows_history(self, item: Item) -> bool:
        """The card of `item` shows the customer's earlier contacts."""
        return self.history is not None and not item.is_incident

    def _offers_incident(self, item: Item) -> bool:
        """The card of `item` offers to join the channel's newest open incident."""
        return (self.incidents is not None and not item.is_incident and item.is_open
                and not item.incident)

    def _card(self, item: Item) -> Card:
        facts = self.incidents
        shown = self.countdown(item)
        if facts is None:
            return Card(item, first_response(item, self.clock), countdown=shown)
        if item.is_incident:
            return Card(item, first_response(item, self.clock), incident=facts.view(item),
                        countdown=shown)
        offer = facts.open_in(item.channel) if self._offers_incident(item) else None
        return Card(item, first_response(item, self.clock), open_incident=offer, countdown=shown)

    def _ask_ahead(self, item: Item) -> None:
        """What `card(item)` will read goes with the next round trip (`start_card`'s) instead
        of its own (inside a worker's intake; `bot.store.riding`)."""
        if self._offers_incident(item):
            assert self.incidents is not None
            self.incidents.open_in_soon(item.channel)
        if self.history_soon is not None and self._shows_history(item):
            self.history_soon(item)

    def countdown(self, item: Item) -> Countdown | None:
        """The time left the card of `item` shows now, if it counts down."""
        if not counts_down(item) or item.due_at is None:
            return None
        return countdown(self.clock, item.due_at, self.now())

    def post_card(self, item: Item, out: Callable[[Item], None] | None = None) -> Item | None:
        """Post the item's card once; returns the item as it is once its card is recorded
        (None when this call posted nothing; `ItemGone` when the item is not there). `out(item)`
        runs once the card is out and before it is recorded: what it queues rides the
        recording's round trip (the intake arms the timers so, issue 15).

        One poster at a time (`ItemStore.start_card`, on a replica before the card goes out):
        a second worker handed the same mention (reclaimed, or re-delivered after a failover
        lost the first delivery) gets `CardBusy` while the first is alive and posting, and
        finds the card posted afterwards. A poster gone for good (no heartbeat, lease over) is
        taken over. A retry after a crash or a failed post looks for the card before posting.
        """
        me = _poster.get() or consumer_name()
        now = self.now().timestamp()
        self._ask_ahead(item)
        try:
            start = self.items.start_card(item.number, me, now)
        except Exception:  # recorded on the primary but not confirmed: not posting now
            self._release(item.number, me)
            raise
        if start.outcome == "busy":
            holder, held = start.value, float(start.held or 0)
            if now - held < CARD_LEASE_S or (now - held < CARD_LEASE_MAX_S
                                              and self.alive(holder)):
                raise CardBusy(item.number, holder)
            log.warning("card #%s: taking over from %s (silent for %.0f s)", item.number,
                        holder, now - held)
            start = self.items.start_card(item.number, me, now, take_over_from=holder)
            if start.outcome == "busy":
                raise CardBusy(item.number, start.value)
        if start.outcome == "missing":
            raise ItemGone(item.number)  # never acknowledge a mention whose item is not there
        if start.outcome != "mine":
            return None  # posted meanwhile (`card_ts` is set)
        since = float(start.value) if start.value else None
        try:
            ts = self.board.post_card(self.card(item), since=since)
        except BaseException:
            self._release(item.number, me)
            raise
        if out is not None:
            out(item)
        return self.items.card_posted(item.number, ts, item.mention)

    def _release(self, number: int, poster: str) -> None:
        """Give the card's posting back after a failure (best effort: else its lease ends)."""
        try:
            self.items.release_card(number, poster)
        except Exception as exc:
            log.warning("card #%s not released (%s)", number, type(exc).__name__)

    def refresh_card(self, number: int) -> None:
        """Show the item's current state on its card (best effort)."""
        item = self.items.get(number)
        if item and item.card_ts:
            try:
                self.board.update_card(self.card(item))
            except Exception as exc:
                log.warning("card update for #%s failed (%s); queued for later", number,
                            type(exc).__name__)
                self.dirty.mark_card(number)

    def update_card(self, number: int) -> None:
        """Show the item's current state on its card; failures raise (the worker retries)."""
        item = self.items.get(number)
        if item and item.card_ts:
            self.board.update_card(self.card(item))

    def card_changed(self, number: int) -> None:
        """Update the card on a later worker tick (coalesced within `chat.update`'s budget)."""
        self.dirty.mark_card(number)

    def post_thread(self, item: Item, text: str | Callable[[], str]) -> None:
        """A line in the item's thread; failures raise (timers retry after their lease)."""
        self.board.post_thread(item, text)

    def thread_line(self, item: Item, key: str, **params: Any) -> None:
        """Tell the story in the card's thread (best effort)."""
        if item.card_ts:
            try:
                self.board.post_thread(item, say(key, self.lang, **params))
            except Exception as exc:
                log.warning("thread line %s for #%s failed (%s)", key, item.number,
                            type(exc).__name__)

    def refresh_home(self, *users: str) -> None:
        """Re-publish the App Home of `users` after a change (best effort)."""
        for user in {u for u in users if u}:
            try:
                self.board.publish_home(self.home(user))
            except Exception:
                log.warning("App Home refresh failed for %s", user)

    def done(self, user: str, action: str, item: Item, line: str, *,
             audit: dict[str, Any] | None = None, **params: Any) -> Item:
        """After an action: audit it, update the card, tell the thread and App Home.

        `params` fill the thread line (escaped for Slack); `audit` replaces them in the audit
        trail where the two differ (the trail keeps what was sent, not its Slack escaping).
        """
        self.audit.record(user, action, item.number, "ok", **(params if audit is None else audit))
        self.refresh_card(item.number)
        self.thread_line(item, line, user=user, number=item.number, **params)
        self.refresh_home(user, item.holder)
        fresh = self.items.get(item.number)
        assert fresh is not None
        return fresh
