"""The whole customer (issue 16): earlier contacts, internal notes, waiting for the customer,
and `/find`.

- History: the same customer's (network + author id) items of the last `history.days`, from
  the author index, shown on every card ("3. Kontakt in 7 Tagen") and in full in App Home.
- Notes: a thread line marked internal, kept with the item for the history; audited without
  its words; never handed to a network client (this part holds none).
- Waiting: `/wait` stops the response clock (the watch arms one end-of-wait entry instead of
  the warning and breach); the intake reopens the item when the customer writes in the
  conversation; the watch closes it as `no_answer_from_customer` after `wait_max`.
- Search: every new item is filed under its search words and its handle (`bot.store.search`);
  data protection takes it out again.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from bot.clock import BusinessClock
from bot.config import DeskConfig
from bot.desk.outcomes import Contact, Contacts, Found, ItemView, NoteLine, Outcome
from bot.desk.ports import TimerPort
from bot.desk.publisher import Publisher
from bot.desk.queries import Queries
from bot.desk.rules import Rules
from bot.markup import escape
from bot.messages import say
from bot.models import Item, State
from bot.search import handle_key, search_words
from bot.store import AuditLog, ItemStore
from bot.store.notes import Note, NoteStore
from bot.store.search import SearchIndex

WAIT_FROM = (State.CLAIMED, State.ANSWERED, State.PRIVATE)
NOTE_LIMIT = 2000   # characters of one note
HISTORY_SCAN = 200  # a customer's newest items looked at for the history
FIND_LIMIT = 20
BACKFILL_BATCH = 500  # items filed per backfill step (a worker job, every 10 s until done)


def wait_deadline(clock: BusinessClock, start: datetime, wait_max: timedelta) -> datetime:
    """When a wait that began at `start` gives up: whole days count business days (`3d`: the
    same time three business days later), anything else business time."""
    if wait_max.total_seconds() % 86400 == 0:
        return clock.add_days(start, wait_max.days)
    return clock.add(start, wait_max)


class Customers:
    """History, notes, waiting and search (see the module docstring)."""

    def __init__(self, config: DeskConfig, rules: Rules, items: ItemStore, audit: AuditLog,
                 notes: NoteStore, search: SearchIndex, publisher: Publisher,
                 timers: TimerPort, queries: Queries, clock: BusinessClock,
                 now: Callable[[], datetime]) -> None:
        self.config, self.rules, self.items, self.audit = config, rules, items, audit
        self.notes, self.search, self.publisher, self.timers = notes, search, publisher, timers
        self.queries, self.clock, self.now = queries, clock, now
        self.lang = config.language

    # ----- history ----------------------------------------------------------------------------
    def contacts(self, item: Item, *, with_notes: bool = False) -> Contacts:
        """The customer's items within `history.days` before `item`, newest first."""
        m = item.mention
        if item.extra.get("anonymised_at"):
            return Contacts([], 1)
        numbers = [n for n in self.items.author_numbers(m.network, m.author.id)
                   if n < item.number][-HISTORY_SCAN:]
        seen = item.seen_at or m.created_at
        since = seen - self.config.history.days
        found = [i for i in self.items.get_existing(numbers).values()
                 if not i.is_incident and i.mention.author.id == m.author.id
                 and i.seen_at is not None and since <= i.seen_at <= seen]
        found.sort(key=lambda i: i.number, reverse=True)
        notes = self.notes.of(i.number for i in found) if with_notes and found else {}
        earlier = [Contact(i.number, i.seen_at, i.state.value, i.reason, i.channel, i.card_ts,
                           i.mention.text, [_line(n) for n in notes.get(i.number, [])])
                   for i in found]
        first = min((c.seen_at for c in earlier if c.seen_at), default=seen)
        return Contacts(earlier, max(1, math.ceil((seen - first) / timedelta(days=1))))

    def card_history_soon(self, item: Item) -> None:
        """`card_history(item)` will be asked for: its first read goes with the next round
        trip (a card's hot path, `bot.store.riding`)."""
        if not item.extra.get("anonymised_at"):
            self.items.author_numbers_soon(item.mention.network, item.mention.author.id)

    def card_history(self, item: Item) -> Contacts | None:
        """What the card shows: None for a first contact."""
        got = self.contacts(item)
        return got if got.earlier else None

    def show_history(self, user: str, number: int) -> Outcome:
        """Put item `number` with its notes and the customer's whole history on top of the
        user's App Home."""
        item = self.rules.item_for(user, "history", number)
        notes = [_line(n) for n in self.notes.of([number]).get(number, [])]
        view = ItemView(item, notes, self.contacts(item, with_notes=True),
                        self.config.history.days.days)
        self.publisher.board.publish_home(replace(self.queries.home(user), focus=view))
        self.audit.record(user, "history", number, "ok", contacts=len(view.history.earlier))
        return Outcome("ok.history", {"number": number}, item)

    # ----- notes ------------------------------------------------------------------------------
    def note(self, user: str, number: int, text: str) -> Outcome:
        """An internal note on any item (open or closed): a thread line marked internal, kept
        for the history. Never sent to a network."""
        item = self.rules.item_for(user, "note", number)
        text = text.strip()
        if not text:
            raise self.rules.refuse(user, "note", number, "refuse.note_empty", number=number)
        if len(text) > NOTE_LIMIT:
            raise self.rules.refuse(user, "note", number, "refuse.note_too_long",
                                    limit=NOTE_LIMIT, length=len(text))
        self.notes.add(number, Note(self.now(), user, text))
        self.audit.record(user, "note", number, "ok", chars=len(text))
        self.publisher.thread_line(item, "thread.note", user=user, text=escape(text))
        return Outcome("ok.note", {"number": number}, item)

    # ----- waiting for the customer -----------------------------------------------------------
    def wait(self, user: str, number: int, note: str = "") -> Outcome:
        """The holder asked the customer for something: stop the response clock until they
        write again in the conversation, at most `wait_max`."""
        item = self.rules.item_for(user, "wait", number)
        if item.is_incident or item.incident:
            raise self.rules.refuse(user, "wait", number, "refuse.wait_incident", number=number)
        if item.state == State.WAITING:
            raise self.rules.refuse(user, "wait", number, "refuse.already_waiting",
                                    number=number)
        self.rules.require_hold(user, "wait", item, WAIT_FROM)
        now = self.now()
        until = wait_deadline(self.clock, now, self.config.wait_max)
        t = self.items.transition(number, allowed=WAIT_FROM, require_holder=item.holder,
                                  close=True, state=State.WAITING.value,
                                  holder=item.holder or user, waiting_since=now.isoformat(),
                                  wait_until=until.isoformat(), timer_state="")
        if not t.ok:
            raise self.rules.state_refusal(user, "wait", item, t.state)
        self.items.mark_waiting(number, until)  # App Home and /queue list it
        fresh = self.items.get(number)
        assert fresh is not None
        self.timers.start(fresh)  # the end-of-wait entry replaces the warning and breach
        note = note.strip()
        extra = say("timer.note", self.lang, note=escape(note)) if note else ""
        local = self.publisher.local(until.isoformat())
        self.publisher.done(user, "wait", item, "thread.waiting", until=local, note=extra,
                            audit={"until": until.isoformat(), "note": bool(note)})
        return Outcome("ok.waiting", {"number": number, "until": local}, fresh)

    # ----- search -----------------------------------------------------------------------------
    def index(self, item: Item) -> None:
        """File a new item under its search words and handle (idempotent)."""
        if not item.is_incident:
            m = item.mention
            self.search.add(item.number, search_words(m.text), handle_key(m.author.handle))

    def backfill(self, batch: int = BACKFILL_BATCH) -> int:
        """File up to `batch` items made before the search index existed (issue 16; new ones
        are filed when made): incidents and anonymised items are left out, erased ones are
        gone. Returns how many numbers it looked at (0: done, for good)."""
        start, upto = self.search.backfill_window(self.items.newest_number())
        if start > upto:
            return 0
        end = min(upto, start + batch - 1)
        for item in self.items.get_existing(list(range(start, end + 1))).values():
            if "anonymised_at" not in item.extra:
                self.index(item)
        self.search.backfilled(end)
        return end - start + 1

    def find(self, user: str, query: str) -> Found:
        """Items whose post has every word of `query` (and of `@handle`, if it names one):
        open first, then closed, each newest first, at most 20."""
        self.rules.require_agent(user, "find", None)
        handle, rest = "", []
        for part in query.split():
            if part.startswith("@") and len(part) > 1 and not handle:
                handle = handle_key(part)
            else:
                rest.append(part)
        words = search_words(" ".join(rest))
        if not words and not handle:
            raise self.rules.refuse(user, "find", None, "refuse.find_empty")
        opened, closed = self.search.find(words, handle, FIND_LIMIT)
        numbers = (opened + closed)[:FIND_LIMIT]
        got = self.items.get_existing(numbers)
        self.audit.record(user, "find", None, "ok", hits=len(numbers), words=len(words),
                          handle=bool(handle))
        return Found(query.strip(), [got[n] for n in numbers if n in got],
                     len(opened) + len(closed) > FIND_LIMIT)


def _line(n: Note) -> NoteLine:
    return NoteLine(n.at, n.user, n.text)
