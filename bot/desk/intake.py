"""Intake: one triaged mention becomes a card, a follow-up in a thread, or a count.

Idempotent: running it twice for the same mention posts nothing twice (a worker that crashed
between creating an item and posting its card finishes the job on the retry).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.clock import BusinessClock
from bot.config import DeskConfig
from bot.desk.incidents import Incidents
from bot.desk.outcomes import IntakeResult
from bot.desk.ports import TimerPort
from bot.desk.publisher import Publisher
from bot.markup import QUOTE_LIMIT, clip, escape
from bot.messages import say
from bot.models import Item, Mention, State
from bot.store import AuditLog, ItemStore
from bot.store.dropped import DroppedMentions
from bot.triage import Triage, route
from bot.triage.routing import DEFAULT_ROUTE

# a follow-up restarts the response clock of these (issue 16: and ends a wait for the customer)
REOPEN_FROM = (State.ANSWERED, State.CLAIMED, State.NEW, State.WAITING)


class Intake:
    """Triage, create, post: what the worker does with each mention of the stream."""

    def __init__(self, config: DeskConfig, items: ItemStore, audit: AuditLog, triage: Triage,
                 publisher: Publisher, timers: TimerPort, clock: BusinessClock,
                 now: Callable[[], datetime], today: Callable[[], str],
                 incidents: Incidents, dropped: DroppedMentions | None = None,
                 index: Callable[[Item], None] | None = None) -> None:
        self.config, self.items, self.audit, self.triage = config, items, audit, triage
        self.publisher, self.timers, self.clock, self.now = publisher, timers, clock, now
        self.today = today  # the key of the day's counters
        self.incidents = incidents
        self.index = index  # files a new item for `/find` (issue 16)
        self.dropped = dropped  # issue 14: what triage did not post stays visible

    def __call__(self, mention: Mention, *, unseen: bool = False) -> IntakeResult:
        """Triage one mention; post negative ones as cards, thread follow-ups, count the rest.

        `unseen`: the caller has just found no item for it (`channels_for`) and knows no other
        intake of it can have run since (a stream entry delivered for the first time: the
        queue lets a mention in once): it is not looked up again (issue 15: a round trip)."""
        known = None if unseen else self.items.number_for_mention(mention.network, mention.id)
        if known is not None:
            return self._known(known, mention)
        parent = self._conversation_item(mention)
        result = self.triage.analyse(mention.text)
        model = result.model  # the version that judged this mention
        self.items.count(self.today(), "ingested", f"sentiment:{result.sentiment}",
                         f"network:{mention.network}")
        if parent is not None:
            return self._follow_up(parent, mention, result.sentiment)
        if result.sentiment != "negative":
            # issue 13: the counters can be recomputed from the audit trail (no text, no author)
            self.audit.record("intake", "counted", None, "ok", network=mention.network,
                              sentiment=result.sentiment, day=self.today())
            if self.dropped is not None:
                self.dropped.add(mention, result.sentiment, result.score, model,
                                 self.now().timestamp())
            return IntakeResult("counted", result.sentiment)
        return self.post_case(mention, result.score, result.address, result.route, model)

    def post_case(self, mention: Mention, score: float, address: str, routed: str,
                  model: str) -> IntakeResult:
        """Create the item of a negative mention and post its card (or let an incident take
        it); also for a mention an agent calls a case after all (`Labels.promote`)."""
        seen = self.now()
        start = min(mention.created_at, seen)
        due = self.clock.add(start, self.config.target_for(mention.network))
        channel = self._routed(routed)
        self.incidents.ahead(channel)  # the storm pre-check's read rides the creation
        number, item = self.items.create(
            mention, sentiment="negative", score=score, address=address,
            channel=channel, seen_at=seen, due_at=due, model=model,
        )
        item = item or self.items.get(number)  # created by an earlier attempt: read it
        if item is None:
            raise LookupError(f"item #{number} of {mention.key} is gone")
        if self.index is not None:
            self.index(item)
        incident = item.incident or self.incidents.place(item)
        if incident is not None:  # says what an open incident says: no card of its own
            self.audit.record("intake", "incident", number, "ok", network=mention.network,
                              mention=mention.id, channel=channel, incident=incident,
                              model=model, **self._facts(item))
            return IntakeResult("joined", "negative", number)
        armed = False

        def arm(out: Item) -> None:  # the card is out: the timers ride its recording
            nonlocal armed
            self.timers.start(out, ride=True)
            armed = True

        posted = self.publisher.post_card(item, arm) if not item.card_ts else None
        fresh = posted or self.items.get(number) or item
        # inside the worker's intake it goes with the entry's acknowledgement
        self.audit.record("intake", "post", number, "ok", network=mention.network,
                          mention=mention.id, channel=channel, model=model, **self._facts(item))
        if fresh.incident is not None:  # a storm took it in while its card was being posted
            if armed:
                self.timers.stop(number)
            self.publisher.card_changed(number)
        elif not armed:
            self.timers.start(fresh)
        return IntakeResult("posted", "negative", number)

    def _facts(self, item: Item) -> dict[str, str]:
        """What the audit trail keeps of a new item so the summary can be recomputed from it
        alone (issue 13): when posted and seen, its sentiment, the day it was counted on."""
        return {"created": item.mention.created_at.isoformat(),
                "seen": (item.seen_at or item.mention.created_at).isoformat(),
                "sentiment": item.sentiment, "day": self.today()}

    def channel_for(self, mention: Mention) -> str:
        """The channel the intake of `mention` would post into (the worker's lane for it).

        The item's channel for a mention seen before, the conversation's for a follow-up, else
        the keyword route (without the sentiment model: a mention that turns out not to be
        negative posts nothing, whichever lane it waited in).
        """
        known = self.items.number_for_mention(mention.network, mention.id)
        item = self.items.get(known) if known is not None else self._conversation_item(mention)
        if item is not None:
            return item.channel
        return self._routed(route(mention.text, self.triage.rules.routes))

    def channels_for(self, mentions: list[Mention]) -> list[tuple[str, bool]]:
        """(`channel_for`, unseen: no item has it and it answers none) of each of `mentions`,
        the usual case (a new mention, no follow-up) in one round trip for all."""
        numbers = self.items.numbers_for_mentions([(m.network, m.id) for m in mentions])
        out = []
        for m, n in zip(mentions, numbers, strict=True):
            unseen = n is None and not (m.in_reply_to or m.conversation_id)
            out.append((self._routed(route(m.text, self.triage.rules.routes)) if unseen
                        else self.channel_for(m), unseen))
        return out

    def _routed(self, routed: str) -> str:
        return routed if routed != DEFAULT_ROUTE else self.config.channels.default

    def _known(self, number: int, mention: Mention) -> IntakeResult:
        """A mention seen before: finish what a crashed worker left, else nothing."""
        item = self.items.get(number)
        if item and self.index is not None and item.mention.id == mention.id:
            self.index(item)  # a worker may have crashed before it was filed: idempotent
        if item and item.incident is not None:
            return IntakeResult("known", item.sentiment, number)  # a member: no card
        if item and not item.card_ts and item.mention.id == mention.id:
            # a worker crashed between creating and posting
            fresh = self.publisher.post_card(item) or self.items.get(number)
            if fresh and fresh.is_open:
                self.timers.start(fresh)  # idempotent
            self.audit.record("intake", "post", number, "ok", network=mention.network,
                              mention=mention.id, channel=item.channel, **self._facts(item))
            return IntakeResult("posted", item.sentiment, number)
        if item and item.is_open and item.mention.id == mention.id:
            self.timers.start(item)  # crashed after posting, before the timers: idempotent
        return IntakeResult("known", item.sentiment if item else "", number)

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
            self.publisher.post_thread(item, self._say_followup(mention))
        self.items.link_mention(mention.network, mention.id, item.number)
        reopened = resumed = False
        if item.state in REOPEN_FROM:
            # the next-response clock starts when the customer wrote, never before the item
            start = max(min(mention.created_at, self.now()), item.seen_at or mention.created_at)
            due = self.clock.add(start, self.config.target_for(mention.network))
            new_state = State.CLAIMED if item.holder else State.NEW
            t = self.items.transition(
                item.number, allowed=REOPEN_FROM,
                state=new_state.value, due_at=due.isoformat(), timer_state="",
                pending_since=start.isoformat(), wait_until="")
            if t.ok:
                reopened = True
                self.items.reopen(item.number, due)
                self.publisher.refresh_card(item.number)
                fresh = self.items.get(item.number)
                if fresh:
                    self.timers.start(fresh)
                resumed = t.state == State.WAITING.value
                if resumed and fresh:  # the holder waited for exactly this: tell them
                    self.publisher.thread_line(
                        fresh, "thread.customer_back", number=item.number,
                        holder=f"<@{fresh.holder}>" if fresh.holder else "",
                        due=self.publisher.local(due.isoformat()))
        self.audit.record("intake", "follow_up", item.number, "ok", mention=mention.id,
                          network=mention.network, sentiment=sentiment, day=self.today(),
                          reopened=reopened, **({"resumed": True} if resumed else {}))
        return IntakeResult("threaded", sentiment, item.number)

    def _say_followup(self, mention: Mention) -> str:
        return say("thread.followup", self.config.language, handle=escape(mention.author.handle),
                   text=escape(clip(mention.text, QUOTE_LIMIT)))
