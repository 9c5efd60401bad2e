"""What handlers and the board ask the desk: the queue, App Home, draft hints, today's figures.

Read-only; agents only (customers' posts are for the team).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

from bot.clock import BusinessClock
from bot.desk import templates
from bot.desk.outcomes import DraftHint, Home, Queue, QueueRow, WaitingRow
from bot.desk.rules import Rules
from bot.desk.watch import waiting_until
from bot.models import Item, State
from bot.store import ItemStore
from bot.store.dropped import DroppedMentions

log = logging.getLogger(__name__)

HOME_SCAN = 500  # open items looked at for App Home
QUEUE_SCAN = 500
HOME_DROPPED = 10  # issue 14: the newest mentions triage did not post, on App Home


class Queries:
    """Read models over the items."""

    def __init__(self, rules: Rules, items: ItemStore, clock: BusinessClock,
                 now: Callable[[], datetime], today: Callable[[], str]) -> None:
        self.rules, self.items, self.clock, self.now, self.today = rules, items, clock, now, today
        self.dropped: DroppedMentions | None = None  # issue 14; set by the Desk

    def queue(self, user: str, channel: str, *, limit: int = 15, scan: int = QUEUE_SCAN) -> Queue:
        """Open items of `channel`, nearest due first: the first `limit` rows and how many more."""
        self.rules.require_agent(user, "queue", None)
        now, started = self.now(), time.monotonic()
        rows: list[QueueRow] = []
        for number in self.items.open_numbers(scan):
            item = self.items.get(number)
            if item is None or item.channel != channel or not item.is_open or item.due_at is None:
                continue
            left = (self.clock.elapsed(now, item.due_at) if now < item.due_at
                    else -self.clock.elapsed(item.due_at, now))
            rows.append(QueueRow(number, item.mention.network, item.mention.author.handle,
                                 item.holder, item.due_at, left))
        waiting = [WaitingRow(i.number, i.mention.network, i.mention.author.handle, i.holder,
                              waiting_until(i))
                   for i in self.items.waiting(scan) if i.channel == channel]
        log.debug("/queue scanned %d open items in %.1f ms", scan,
                  (time.monotonic() - started) * 1e3)
        return Queue(channel, rows[:limit], max(0, len(rows) - limit), waiting[:limit])

    def home(self, user: str) -> Home:
        """App Home of `user`: held items and the team's unclaimed ones, nearest due first."""
        if not self.rules.is_agent(user):
            return Home(user, None, None, self.rules.leads_text())
        mine: list[Item] = []
        unclaimed: list[Item] = []
        for n in self.items.open_numbers(HOME_SCAN):
            item = self.items.get(n)
            if item is None:
                continue
            if item.state == State.CLAIMED and item.holder == user:
                mine.append(item)
            elif item.state == State.NEW:
                unclaimed.append(item)
        dropped = self.dropped.latest(HOME_DROPPED) if self.dropped is not None else []
        waiting = [i for i in self.items.waiting(HOME_SCAN) if i.holder == user]
        return Home(user, mine, unclaimed, dropped=dropped, waiting=waiting)

    def draft(self, user: str, number: int, draft: str) -> tuple[Item, DraftHint] | None:
        """The item and the live hint for `user`'s draft, or None if the item is gone."""
        item = self.items.get(number)
        if item is None:
            return None
        return item, self.hint(item, user, draft)

    def template_draft(self, user: str, number: int, name: str
                       ) -> tuple[Item, str, DraftHint] | None:
        """Template `name` filled in for item `number`'s customer, as a draft with its hint;
        None if the item or the template is gone."""
        item = self.items.get(number)
        filled = templates.fill(self.rules.config, item, name) if item else None
        if item is None or filled is None:
            return None
        return item, filled.text, self.hint(item, user, filled.text)

    def template_names(self) -> list[str]:
        """The named templates, for the reply modal's picker."""
        return templates.names(self.rules.config)

    def hint(self, item: Item, user: str, draft: str) -> DraftHint:
        """Address form to use, length left, signature, and a du/Sie mismatch."""
        signed = self.rules.sign(user, draft)
        return DraftHint(
            address=item.address,
            length=self.rules.reply_limit(item, signed),
            signature=self.rules.sign(user, "").strip(),
            mismatch=self.rules.address_mismatch(item, draft) if draft else None,
        )

    def today_stats(self) -> dict[str, int]:
        """Today's ingested and negative mentions and the open backlog (`/desk stats`)."""
        counts = self.items.counts(self.today())
        return {"ingested": counts.get("ingested", 0),
                "negative": counts.get("sentiment:negative", 0),
                "open": self.items.open_count()}
