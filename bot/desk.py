"""The desk: what agents and the intake do to items, and the rules they obey.

Every operation takes plain values (user id, item number, text) and returns an `Outcome`
naming the message to show the actor; a refusal raises `DeskRefusal` and changes nothing.
Every action and every refusal is written to the audit trail.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from bot.actions import AgentActions
from bot.config import DeskConfig
from bot.errors import DeskRefusal
from bot.messages import say
from bot.models import Item, Mention, State
from bot.slack.cards import (
    QUOTE_LIMIT,
    CardContext,
    card_blocks,
    card_metadata,
    card_text,
    clip,
    escape,
    lead_ping,
)
from bot.slack.poster import SlackPort
from bot.sources.base import Source
from bot.store import AuditLog, ItemStore
from bot.store.agents import KuerzelStore
from bot.summary import first_response
from bot.triage import Triage

log = logging.getLogger(__name__)


class TimerPort(Protocol):
    """Response-target timers (see `bot.timers`). The desk starts and stops them."""

    def start(self, item: Item) -> None:
        """(Re)schedule the warning and breach for `item.due_at`."""

    def stop(self, number: int) -> None:
        """The item needs no answer now (answered, private, no reply, resolved)."""

    def card_changed(self, number: int) -> None:
        """The card could not be updated now: update it on a later tick."""


class NoTimers:
    def start(self, item: Item) -> None:
        return None

    def stop(self, number: int) -> None:
        return None

    def card_changed(self, number: int) -> None:
        return None


@dataclass(frozen=True)
class IntakeResult:
    """What the intake did with one mention: `posted`, `threaded`, `counted` or `known`."""

    action: str
    sentiment: str
    item: int | None = None


class Desk(AgentActions):
    """All desk operations, wired to stores, Slack, the networks and the business clock."""

    def __init__(
        self,
        config: DeskConfig,
        items: ItemStore,
        audit: AuditLog,
        kuerzel: KuerzelStore,
        slack: SlackPort,
        sources: Mapping[str, Source],
        triage: Triage,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        timers: TimerPort | None = None,
    ) -> None:
        self.config = config
        self.items = items
        self.audit = audit
        self.kuerzel = kuerzel
        self.slack = slack
        self.sources = dict(sources)
        self.triage = triage
        self.clock = config.business_clock()
        self.now = now
        self.timers: TimerPort = timers or NoTimers()

    # ----- intake -------------------------------------------------------------------------
    def intake(self, mention: Mention) -> IntakeResult:
        """Triage one mention; post negative ones as cards, thread follow-ups, count the rest.

        Idempotent: running it twice for the same mention posts nothing twice.
        """
        known = self.items.number_for_mention(mention.network, mention.id)
        if known is not None:
            item = self.items.get(known)
            if item and not item.card_ts and item.mention.id == mention.id:
                self._post_card(item)  # a worker crashed between creating and posting
                fresh = self.items.get(known)
                if fresh and fresh.is_open:
                    self.timers.start(fresh)  # idempotent
                return IntakeResult("posted", item.sentiment, known)
            if item and item.is_open and item.mention.id == mention.id:
                self.timers.start(item)  # crashed after posting, before the timers: idempotent
            return IntakeResult("known", item.sentiment if item else "", known)
        parent = self._conversation_item(mention)
        result = self.triage.analyse(mention.text)
        self.items.count(self._today(), "ingested", f"sentiment:{result.sentiment}",
                         f"network:{mention.network}")
        if parent is not None:
            return self._follow_up(parent, mention, result.sentiment)
        if result.sentiment != "negative":
            return IntakeResult("counted", result.sentiment)
        seen = self.now()
        start = min(mention.created_at, seen)
        due = self.clock.add(start, self.config.target_for(mention.network))
        channel = result.route if result.route != "default" else self.config.channels.default
        number, _ = self.items.create(
            mention, sentiment=result.sentiment, score=result.score, address=result.address,
            channel=channel, seen_at=seen, due_at=due,
        )
        item = self.items.get(number)
        assert item is not None
        if not item.card_ts:
            self._post_card(item)
        self.timers.start(item)
        self.audit.record("intake", "post", number, "ok", network=mention.network,
                          mention=mention.id, channel=channel)
        return IntakeResult("posted", result.sentiment, number)

    @property
    def clock_tz(self) -> Any:
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.config.timezone)

    def _conversation_item(self, mention: Mention) -> Item | None:
        for ref in (mention.in_reply_to, mention.conversation_id):
            if not ref:
                continue
            n = (self.items.number_for_mention(mention.network, ref)
                 or self.items.number_for_conversation(mention.network, ref))
            if n is not None:
                item = self.items.get(n)
                if item and item.mention.author.id == mention.author.id:
                    return item
        return None

    def _follow_up(self, item: Item, mention: Mention, sentiment: str) -> IntakeResult:
        """A customer wrote again in the same conversation: thread it and restart the clock."""
        if item.card_ts:  # posted before linking: a failure retries the whole follow-up
            self.slack.post_thread(item.channel, item.card_ts, say(
                "thread.followup", self.config.language, handle=escape(mention.author.handle),
                text=escape(clip(mention.text, QUOTE_LIMIT))))
        self.items.link_mention(mention.network, mention.id, item.number)
        if item.state in (State.ANSWERED, State.CLAIMED, State.NEW):
            # the next-response clock starts when the customer wrote, never before the item
            start = max(min(mention.created_at, self.now()), item.seen_at or mention.created_at)
            due = self.clock.add(start, self.config.target_for(mention.network))
            new_state = State.CLAIMED if item.holder else State.NEW
            t = self.items.transition(
                item.number, allowed=(State.ANSWERED, State.CLAIMED, State.NEW),
                state=new_state.value, due_at=due.isoformat(), timer_state="",
                pending_since=start.isoformat())
            if t.ok:
                self.items.reopen(item.number, due)
                self.refresh_card(item.number)
                fresh = self.items.get(item.number)
                if fresh:
                    self.timers.start(fresh)
        self.audit.record("intake", "follow_up", item.number, "ok", mention=mention.id)
        return IntakeResult("threaded", sentiment, item.number)

    def _post_card(self, item: Item) -> None:
        since = item.extra.get("card_attempt")
        self.items.set_fields(item.number, card_attempt=f"{self.now().timestamp():.3f}")
        ctx = self._ctx(item)
        ts = self.slack.post_card(
            item.number, item.channel, card_blocks(item, ctx), card_text(item, ctx),
            card_metadata(item), since=float(since) if since else None,
        )
        self.items.set_fields(item.number, card_ts=ts)

    # ----- helpers --------------------------------------------------------------------------
    def _ctx(self, item: Item) -> CardContext:
        return CardContext(self.config.language, self.config.timezone,
                           first_response(item, self.clock))

    def refresh_card(self, number: int) -> None:
        """Show the item's current state on its card. Best effort: the desk state is already
        changed, so a Slack failure only marks the card for the worker to update later."""
        item = self.items.get(number)
        if item and item.card_ts:
            ctx = self._ctx(item)
            try:
                self.slack.update_card(item.channel, item.card_ts, card_blocks(item, ctx),
                                       card_text(item, ctx))
            except Exception as exc:
                log.warning("card update for #%s failed (%s); queued for later", number,
                            type(exc).__name__)
                self.timers.card_changed(number)

    def thread_line(self, item: Item, key: str, **params: Any) -> None:
        """Tell the story in the card's thread. Best effort, like `refresh_card`."""
        if item.card_ts:
            try:
                self.slack.post_thread(item.channel, item.card_ts,
                                       say(key, self.config.language, **params))
            except Exception as exc:
                log.warning("thread line %s for #%s failed (%s)", key, item.number,
                            type(exc).__name__)

    def kuerzel_of(self, user: str) -> str | None:
        return self.kuerzel.get(user) or self.config.agents.get(user)

    def is_agent(self, user: str) -> bool:
        return user in self.config.agents or user in self.config.leads or bool(
            self.kuerzel.get(user))

    def _refuse(self, user: str, action: str, item_no: int | None, key: str, /,
                **params: Any) -> DeskRefusal:
        """Audit a refusal and build it (nothing else changes)."""
        self.audit.record(user, action, item_no, f"refused:{key}", **{
            k: v for k, v in params.items() if k not in ("found", "number")})
        return DeskRefusal(key, **params)

    def leads_text(self) -> str:
        """The leads as Slack mentions, for "ask …" in refusals."""
        return lead_ping(self.config.leads, self.config.language)

    def _require_agent(self, user: str, action: str, item_no: int | None) -> None:
        if not self.is_agent(user):
            raise self._refuse(user, action, item_no, "refuse.not_agent", leads=self.leads_text())

    def _item_for(self, user: str, action: str, number: int) -> Item:
        self._require_agent(user, action, number)
        item = self.items.get(number)
        if item is None:
            raise self._refuse(user, action, number, "refuse.unknown_item", number=number)
        return item

    def _state_refusal(self, user: str, action: str, item: Item, t_state: str) -> DeskRefusal:
        state = say(f"state.{t_state}", self.config.language)
        return self._refuse(user, action, item.number, "refuse.state", number=item.number,
                            state=state)

    def refresh_home(self, *users: str) -> None:
        """Re-publish the App Home of `users` after a change (best effort)."""
        from bot.home import home_view

        for user in {u for u in users if u}:
            try:
                self.slack.publish_home(user, home_view(self, user))
            except Exception:
                log.warning("App Home refresh failed for %s", user)

    def _today(self) -> str:
        """Today's date in the desk's time zone (the key of the day's counters)."""
        return self.now().astimezone(self.clock_tz).date().isoformat()

    def today_stats(self) -> dict[str, int]:
        counts = self.items.counts(self._today())
        return {"ingested": counts.get("ingested", 0),
                "negative": counts.get("sentiment:negative", 0),
                "open": len(self.items.open_numbers(10000))}

    def first_delivery(self, token: str, ttl_s: int = 3600) -> bool:
        """True the first time `token` (a Slack event id, …) is seen within `ttl_s`."""
        return self.items.first_time(token, ttl_s)
