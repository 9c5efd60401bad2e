"""The desk's side of the board: cards, thread lines and App Home after every change.

Best effort after a change: the desk state is already written, so a Slack failure only marks
the card for the worker's coalesced update (`TimerStore.mark_card`) and is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
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
from bot.store.timers import TimerStore

log = logging.getLogger(__name__)


class IncidentFacts(Protocol):
    """What a card needs to know about incidents (`bot.desk.incidents.Incidents`)."""

    def view(self, incident: Item) -> IncidentView: ...

    def open_in(self, channel: str) -> int | None: ...


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
        self.tz = ZoneInfo(timezone)

    def local(self, iso: str | None) -> str:
        """A stored time (ISO) as the desk's people read it: `24.11. 09:15` in its zone."""
        if not iso:
            return "–"
        return datetime.fromisoformat(iso).astimezone(self.tz).strftime("%d.%m. %H:%M")

    def card(self, item: Item) -> Card:
        card = self._card(item)
        if self.history is not None and not item.is_incident:
            return replace(card, history=self.history(item))
        return card

    def _card(self, item: Item) -> Card:
        facts = self.incidents
        shown = self.countdown(item)
        if facts is None:
            return Card(item, first_response(item, self.clock), countdown=shown)
        if item.is_incident:
            return Card(item, first_response(item, self.clock), incident=facts.view(item),
                        countdown=shown)
        offer = facts.open_in(item.channel) if item.is_open and not item.incident else None
        return Card(item, first_response(item, self.clock), open_incident=offer, countdown=shown)

    def countdown(self, item: Item) -> Countdown | None:
        """The time left the card of `item` shows now, if it counts down."""
        if not counts_down(item) or item.due_at is None:
            return None
        return countdown(self.clock, item.due_at, self.now())

    def post_card(self, item: Item) -> None:
        """Post the item's card once; a retry after a crash looks for it first. The attempt is
        on a replica before the card goes out, so a retry after a failover looks too."""
        since = item.extra.get("card_attempt")
        self.items.set_fields_replicated(item.number,
                                         card_attempt=f"{self.now().timestamp():.3f}")
        ts = self.board.post_card(self.card(item), since=float(since) if since else None)
        self.items.set_fields(item.number, card_ts=ts)

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
