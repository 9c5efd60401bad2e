"""The desk: what agents and the intake do to items, and the rules they obey.

Every operation takes plain values (user id, item number, text) and returns an `Outcome`
naming the message to show the actor; a refusal raises `DeskRefusal` and changes nothing.
Every action and every refusal is written to the audit trail.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.config import DeskConfig
from bot.errors import DeskRefusal, NetworkError
from bot.messages import say
from bot.models import Item, Mention, State
from bot.slack.cards import CardContext, card_blocks, card_metadata, card_text, escape
from bot.slack.poster import SlackPort
from bot.sources.base import Source
from bot.store import AuditLog, ItemStore
from bot.store.agents import KuerzelStore
from bot.triage import Triage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What happened, as a catalogue key and its parameters, plus the item afterwards."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)
    item: Item | None = None


@dataclass(frozen=True)
class IntakeResult:
    """What the intake did with one mention: `posted`, `threaded`, `counted` or `known`."""

    action: str
    sentiment: str
    item: int | None = None


class Desk:
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

    # ----- intake -------------------------------------------------------------------------
    def intake(self, mention: Mention) -> IntakeResult:
        """Triage one mention; post negative ones as cards, thread follow-ups, count the rest.

        Idempotent: running it twice for the same mention posts nothing twice.
        """
        known = self.items.number_for_mention(mention.network, mention.id)
        if known is not None:
            item = self.items.get(known)
            if item and not item.card_ts and item.mention.id == mention.id:
                self._post_card(item)
                return IntakeResult("posted", item.sentiment, known)
            return IntakeResult("known", item.sentiment if item else "", known)
        parent = self._conversation_item(mention)
        result = self.triage.analyse(mention.text)
        day = self.now().astimezone(self.clock_tz).date().isoformat()
        self.items.count(day, "ingested", f"sentiment:{result.sentiment}",
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
        self.items.link_mention(mention.network, mention.id, item.number)
        if item.card_ts:
            self.slack.post_thread(item.channel, item.card_ts, say(
                "thread.followup", self.config.language, handle=escape(mention.author.handle),
                text=escape(mention.text)))
        if item.state in (State.ANSWERED, State.CLAIMED, State.NEW):
            due = self.clock.add(min(mention.created_at, self.now()),
                                 self.config.target_for(mention.network))
            new_state = State.CLAIMED if item.holder else State.NEW
            t = self.items.transition(
                item.number, allowed=(State.ANSWERED, State.CLAIMED, State.NEW),
                state=new_state.value, due_at=due.isoformat(), timer_state="",
                pending_since=min(mention.created_at, self.now()).isoformat())
            if t.ok:
                self.items.reopen(item.number, due)
                self.refresh_card(item.number)
        self.audit.record("intake", "follow_up", item.number, "ok", mention=mention.id)
        return IntakeResult("threaded", sentiment, item.number)

    def _post_card(self, item: Item) -> None:
        since = item.extra.get("card_attempt")
        self.items.set_fields(item.number, card_attempt=f"{self.now().timestamp():.3f}")
        ts = self.slack.post_card(
            item.number, item.channel, card_blocks(item, self._ctx(item)),
            card_text(item, self._ctx(item)), card_metadata(item),
            since=float(since) if since else None,
        )
        self.items.set_fields(item.number, card_ts=ts)

    # ----- helpers --------------------------------------------------------------------------
    def _ctx(self, item: Item) -> CardContext:
        rt = None
        if item.answered_at:
            rt = self.clock.elapsed(min(item.mention.created_at, item.seen_at or item.answered_at),
                                    item.answered_at)
        return CardContext(self.config.language, self.config.timezone, rt)

    def refresh_card(self, number: int) -> None:
        item = self.items.get(number)
        if item and item.card_ts:
            ctx = self._ctx(item)
            self.slack.update_card(item.channel, item.card_ts, card_blocks(item, ctx),
                                   card_text(item, ctx))

    def thread_line(self, item: Item, key: str, **params: Any) -> None:
        if item.card_ts:
            self.slack.post_thread(item.channel, item.card_ts,
                                   say(key, self.config.language, **params))

    def kuerzel_of(self, user: str) -> str | None:
        return self.kuerzel.get(user) or self.config.agents.get(user)

    def is_agent(self, user: str) -> bool:
        return user in self.config.agents or user in self.config.leads or bool(
            self.kuerzel.get(user))

    def _refuse(self, user: str, action: str, number: int | None, key: str,
                **params: Any) -> DeskRefusal:
        self.audit.record(user, action, number, f"refused:{key}", **{
            k: v for k, v in params.items() if k != "found"})
        return DeskRefusal(key, **params)

    def _item_for(self, user: str, action: str, number: int) -> Item:
        if not self.is_agent(user):
            leads = ", ".join(f"<@{u}>" for u in self.config.leads) or "die Teamleitung"
            raise self._refuse(user, action, number, "refuse.not_agent", leads=leads)
        item = self.items.get(number)
        if item is None:
            raise self._refuse(user, action, number, "refuse.unknown_item", number=number)
        return item

    def _state_refusal(self, user: str, action: str, item: Item, t_state: str) -> DeskRefusal:
        state = say(f"state.{t_state}", self.config.language)
        return self._refuse(user, action, item.number, "refuse.state", number=item.number,
                            state=state)

    # ----- agent actions ----------------------------------------------------------------------
    def claim(self, user: str, number: int) -> Outcome:
        """Take an unclaimed item. Atomic: of two agents claiming at once, exactly one wins."""
        item = self._item_for(user, "claim", number)
        t = self.items.transition(number, allowed=(State.NEW,), require_holder="!",
                                  state=State.CLAIMED.value, holder=user,
                                  claimed_at=self.now().isoformat())
        if not t.ok:
            if t.holder == user:
                raise self._refuse(user, "claim", number, "refuse.already_yours", number=number)
            if t.holder and t.state == State.CLAIMED:
                raise self._refuse(user, "claim", number, "refuse.held_by_other",
                                   number=number, holder=t.holder)
            raise self._state_refusal(user, "claim", item, t.state)
        self.audit.record(user, "claim", number, "ok")
        self.refresh_card(number)
        self.thread_line(item, "thread.claimed", user=user, number=number)
        return Outcome("ok.claimed", {"number": number}, self.items.get(number))

    def sign(self, user: str, text: str) -> str:
        kuerzel = self.kuerzel_of(user) or "??"
        return text.rstrip() + self.config.signature.format(kuerzel=kuerzel)

    def check_reply(self, user: str, number: int, text: str, action: str = "reply") -> Item:
        """Every check a public reply must pass, without sending anything."""
        item = self._item_for(user, action, number)
        if not text.strip():
            raise self._refuse(user, action, number, "refuse.empty_reply", number=number)
        if item.state != State.CLAIMED:
            if item.state == State.NEW:
                raise self._refuse(user, action, number, "refuse.not_holder", number=number)
            raise self._state_refusal(user, action, item, item.state.value)
        if item.holder != user:
            raise self._refuse(user, action, number, "refuse.held_by_other", number=number,
                               holder=item.holder)
        found = self.triage_personal_data(text)
        if found:
            kinds = sorted({p.kind for p in found})
            names = ", ".join(say(f"pii.{k}", self.config.language) for k in kinds)
            self.audit.record(user, action, number, "refused:refuse.personal_data", kinds=kinds)
            raise DeskRefusal("refuse.personal_data", number=number, found=names)
        source = self.sources.get(item.mention.network)
        if source is None:
            raise self._refuse(user, action, number, "refuse.no_network",
                               network=say(f"network.{item.mention.network}",
                                           self.config.language))
        limit = source.reply_limit(self.sign(user, text))
        if limit and limit[0] > limit[1]:
            raise self._refuse(user, action, number, "refuse.too_long", length=limit[0],
                               limit=limit[1], over=limit[0] - limit[1])
        return item

    def triage_personal_data(self, text: str) -> list[Any]:
        from bot.triage import find_personal_data

        return list(find_personal_data(text, self.triage.rules))

    def reply(self, user: str, number: int, text: str) -> Outcome:
        """Answer the customer publicly, signed with the agent's Kürzel. Holder only."""
        item = self.check_reply(user, number, text)
        if not self.items.lock(number):
            raise self._refuse(user, "reply", number, "refuse.busy", number=number)
        try:
            signed = self.sign(user, text)
            source = self.sources[item.mention.network]
            try:
                posted = source.reply(item.mention, signed)
            except NetworkError as exc:
                self.audit.record(user, "reply", number, "failed", reason=exc.reason)
                raise DeskRefusal("refuse.network", network=exc.network, reason=exc.reason,
                                  number=number) from exc
            now = self.now()
            self.items.transition(
                number, allowed=(State.CLAIMED,), require_holder=user, close=True,
                state=State.ANSWERED.value, answered_at=now.isoformat(), answered_by=user,
                reply_id=posted.id, reply_text=signed)
        finally:
            self.items.unlock(number)
        self.audit.record(user, "reply", number, "ok", reply_id=posted.id)
        after = self.items.get(number)
        self.refresh_card(number)
        self.thread_line(item, "thread.replied", user=user, text=escape(signed))
        return Outcome("ok.replied", {"number": number, "network": say(
            f"network.{item.mention.network}", self.config.language)}, after)
