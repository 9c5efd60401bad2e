"""What agents do to items: claim, reply, move to private, no reply, release, resolve, assign.

Rules: only configured agents act; only the holder (or a lead) acts on a held item; only
leads assign. Every refusal changes nothing and is audited like every action. The states:
new → claimed → answered | private | noreply → resolved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.errors import DeskRefusal, NetworkError
from bot.messages import say
from bot.models import Item, State
from bot.slack.cards import escape

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from bot.config import DeskConfig
    from bot.desk import TimerPort
    from bot.sources.base import Source
    from bot.store import AuditLog, ItemStore
    from bot.store.agents import KuerzelStore
    from bot.triage import Triage

CLOSED_BY_AGENT = (State.ANSWERED, State.PRIVATE, State.NOREPLY)
DM_FROM = (State.CLAIMED, State.ANSWERED)  # a public answer may still move to private
_REASON_ALIASES = {
    "spam": "spam", "troll": "troll", "solved": "solved", "erledigt": "solved",
    "geloest": "solved", "gelöst": "solved", "no_question": "no_question",
    "keine_frage": "no_question", "keinefrage": "no_question", "duplicate": "duplicate",
    "doppelt": "duplicate", "duplikat": "duplicate",
}


@dataclass(frozen=True)
class Outcome:
    """What happened, as a catalogue key and its parameters, plus the item afterwards."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)
    item: Item | None = None


def normalise_reason(text: str) -> str:
    """Map a typed reason to a known key (`spam`, …) or keep the free text."""
    t = text.strip()
    return _REASON_ALIASES.get(t.lower().replace(" ", "_").replace("-", "_"), t)


class AgentActions:
    """Mixed into `Desk`: the agent operations."""

    if TYPE_CHECKING:  # provided by `Desk`
        config: DeskConfig
        items: ItemStore
        audit: AuditLog
        kuerzel: KuerzelStore
        sources: dict[str, Source]
        triage: Triage
        timers: TimerPort
        now: Callable[[], datetime]

        def refresh_card(self, number: int) -> None: ...
        def thread_line(self, item: Item, key: str, **params: Any) -> None: ...
        def refresh_home(self, *users: str) -> None: ...
        def kuerzel_of(self, user: str) -> str | None: ...
        def is_agent(self, user: str) -> bool: ...
        def leads_text(self) -> str: ...
        def _require_agent(self, user: str, action: str, item_no: int | None) -> None: ...
        def _refuse(self, user: str, action: str, item_no: int | None, key: str, /,
                    **params: Any) -> DeskRefusal: ...
        def _item_for(self, user: str, action: str, number: int) -> Item: ...
        def _state_refusal(self, user: str, action: str, item: Item,
                           t_state: str) -> DeskRefusal: ...

    def _lang(self) -> str:
        return self.config.language

    def is_lead(self, user: str) -> bool:
        return user in self.config.leads

    def _require_hold(self, user: str, action: str, item: Item,
                      allowed: tuple[State, ...] = (State.CLAIMED,)) -> None:
        """The item is in `allowed` and held by `user` (or `user` is a lead)."""
        if item.state not in allowed:
            if item.state == State.NEW:
                raise self._refuse(user, action, item.number, "refuse.not_holder",
                                   number=item.number)
            raise self._state_refusal(user, action, item, item.state.value)
        if item.holder and item.holder != user and not self.is_lead(user):
            raise self._refuse(user, action, item.number, "refuse.held_by_other",
                               number=item.number, holder=item.holder)

    def _after(self, user: str, action: str, item: Item, line: str, **params: Any) -> Item:
        self.audit.record(user, action, item.number, "ok", **params)
        self.refresh_card(item.number)
        self.thread_line(item, line, user=user, number=item.number, **params)
        self.refresh_home(user, item.holder)
        fresh = self.items.get(item.number)
        assert fresh is not None
        return fresh

    def held_item(self, user: str, action: str, number: int) -> Item:
        """The item if `user` may act on it now (before opening a modal); else a refusal."""
        item = self._item_for(user, action, number)
        self._require_hold(user, action, item)
        return item

    # ----- claim / release / assign -----------------------------------------------------------
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
        return Outcome("ok.claimed", {"number": number},
                       self._after(user, "claim", item, "thread.claimed"))

    def release(self, user: str, number: int) -> Outcome:
        """Give a claimed item back to the team."""
        item = self._item_for(user, "release", number)
        self._require_hold(user, "release", item)
        t = self.items.transition(number, allowed=(State.CLAIMED,), require_holder=item.holder,
                                  state=State.NEW.value, holder="")
        if not t.ok:
            raise self._state_refusal(user, "release", item, t.state)
        return Outcome("ok.released", {"number": number},
                       self._after(user, "release", item, "thread.released"))

    def assign(self, user: str, number: int, agent: str) -> Outcome:
        """Leads only: give an open item to `agent`."""
        item = self._item_for(user, "assign", number)
        if not self.is_lead(user):
            raise self._refuse(user, "assign", number, "refuse.leads_only",
                               leads=self.leads_text())
        if not self.is_agent(agent):
            raise self._refuse(user, "assign", number, "refuse.assignee_not_agent", agent=agent)
        t = self.items.transition(number, allowed=(State.NEW, State.CLAIMED),
                                  state=State.CLAIMED.value, holder=agent)
        if not t.ok:
            raise self._state_refusal(user, "assign", item, t.state)
        return Outcome("ok.assigned", {"number": number, "agent": agent},
                       self._after(user, "assign", item, "thread.assigned", agent=agent))

    # ----- replies --------------------------------------------------------------------------
    def sign(self, user: str, text: str) -> str:
        kuerzel = self.kuerzel_of(user) or "??"
        return text.rstrip() + self.config.signature.format(kuerzel=kuerzel)

    def address_mismatch(self, item: Item, text: str) -> str | None:
        """The draft's address form if it contradicts the customer's, else None."""
        from bot.triage import detect_address

        draft = detect_address(text, self.config.triage.brand)
        if item.address in ("du", "sie") and draft in ("du", "sie") and draft != item.address:
            return draft
        return None

    def check_public(self, user: str, number: int, text: str, action: str,
                     allowed: tuple[State, ...] = (State.CLAIMED,)) -> Item:
        """Checks every public text passes: holder, personal data, network length."""
        item = self._item_for(user, action, number)
        if not text.strip():
            raise self._refuse(user, action, number, "refuse.empty_reply", number=number)
        self._require_hold(user, action, item, allowed)
        if not item.mention.replyable:
            raise self._refuse(user, action, number, "refuse.search_only", number=number,
                               url=item.mention.url)
        found = self.triage_personal_data(text)
        if found:
            kinds = sorted({p.kind for p in found})
            names = ", ".join(say(f"pii.{k}", self._lang()) for k in kinds)
            self.audit.record(user, action, number, "refused:refuse.personal_data", kinds=kinds)
            raise DeskRefusal("refuse.personal_data", number=number, found=names)
        source = self.sources.get(item.mention.network)
        if source is None:
            raise self._refuse(user, action, number, "refuse.no_network",
                               network=say(f"network.{item.mention.network}", self._lang()))
        limit = source.reply_limit(self.sign(user, text))
        if limit and limit[0] > limit[1]:
            raise self._refuse(user, action, number, "refuse.too_long", length=limit[0],
                               limit=limit[1], over=limit[0] - limit[1])
        return item

    def check_reply(self, user: str, number: int, text: str, *,
                    override: bool = False) -> Item:
        """Every check a public reply must pass, without sending anything."""
        item = self.check_public(user, number, text, "reply")
        draft = None if override else self.address_mismatch(item, text)
        if draft:
            self.items.hold_reply(number, user, text)
            raise self._refuse(user, "reply", number, "hold.address", number=number,
                               customer=say(f"address.{item.address}", self._lang()),
                               draft=draft)
        return item

    def network_reason(self, exc: NetworkError) -> str:
        """The network's refusal in the team's language (sources carry a catalogue key)."""
        key = getattr(exc, "key", None)
        return say(key, self._lang(), **getattr(exc, "params", {})) if key else exc.reason

    def triage_personal_data(self, text: str) -> list[Any]:
        from bot.triage import find_personal_data

        return list(find_personal_data(text, self.triage.rules))

    def _send_public(self, user: str, item: Item, text: str, action: str) -> Any:
        """Post `text` signed; the per-item lock stops double clicks sending twice."""
        if not self.items.lock(item.number):
            raise self._refuse(user, action, item.number, "refuse.busy", number=item.number)
        signed = self.sign(user, text)
        try:
            return signed, self.sources[item.mention.network].reply(item.mention, signed)
        except NetworkError as exc:
            self.items.unlock(item.number)
            self.audit.record(user, action, item.number, "failed", reason=exc.reason)
            raise DeskRefusal("refuse.network", network=exc.network,
                              reason=self.network_reason(exc), number=item.number) from exc

    def reply(self, user: str, number: int, text: str, *, override: bool = False) -> Outcome:
        """Answer the customer publicly, signed with the agent's Kürzel."""
        item = self.check_reply(user, number, text, override=override)
        signed, posted = self._send_public(user, item, text, "reply")
        try:
            self.items.transition(
                number, allowed=(State.CLAIMED,), close=True, state=State.ANSWERED.value,
                answered_at=self.now().isoformat(), answered_by=user, reply_id=posted.id,
                reply_text=signed)
        finally:
            self.items.unlock(number)
        self.timers.stop(number)
        after = self._after(user, "reply", item, "thread.replied", text=escape(signed))
        return Outcome("ok.replied", {"number": number, "network": say(
            f"network.{item.mention.network}", self._lang())}, after)

    def override_held_reply(self, user: str, number: int) -> Outcome:
        """Send the draft held for a du/Sie mismatch, deliberately."""
        text = self.items.take_held_reply(number, user)
        if text is None:
            raise self._refuse(user, "reply_override", number, "refuse.nothing_held",
                               number=number)
        self.audit.record(user, "reply_override", number, "ok")
        return self.reply(user, number, text, override=True)

    def move_to_private(self, user: str, number: int, text: str = "") -> Outcome:
        """Invite the customer to private messages (public, signed, in their du/Sie) and, where
        the network allows, send `text` (or the invite) privately."""
        item = self._item_for(user, "dm", number)
        self._require_hold(user, "dm", item, DM_FROM)
        tpl = self.config.templates
        invite = tpl.dm_invite_sie if item.address == "sie" else tpl.dm_invite_du
        item = self.check_public(user, number, invite, "dm", DM_FROM)
        signed, posted = self._send_public(user, item, invite, "dm")
        private_id, note = "", ""
        try:
            sent = self.sources[item.mention.network].private_reply(
                item.mention, self.sign(user, text or (
                    tpl.dm_opening_sie if item.address == "sie" else tpl.dm_opening_du)))
            private_id = sent.id if sent else ""
        except NetworkError as exc:
            note = self.network_reason(exc)
        try:
            first = {} if item.answered_at else {  # the first response stays the first
                "answered_at": self.now().isoformat(), "answered_by": user,
                "reply_id": posted.id, "reply_text": signed}
            self.items.transition(number, allowed=DM_FROM, close=True,
                                  state=State.PRIVATE.value, private_id=private_id,
                                  invite_id=posted.id, **first)
        finally:
            self.items.unlock(number)
        self.timers.stop(number)
        after = self._after(user, "dm", item, "thread.private", private=private_id, note=note)
        key = "ok.private_note" if note else "ok.private"
        return Outcome(key, {"number": number, "note": note}, after)

    # ----- closing ----------------------------------------------------------------------------
    def no_reply(self, user: str, number: int, reason: str) -> Outcome:
        """Close without answering; the reason is required."""
        item = self._item_for(user, "noreply", number)
        reason = normalise_reason(reason)
        if len(reason) < 3:
            raise self._refuse(user, "noreply", number, "refuse.reason_required", number=number,
                               reasons=", ".join(self.config.noreply_reasons))
        self._require_hold(user, "noreply", item, (State.CLAIMED, State.NEW))
        if item.state == State.NEW and not self.is_lead(user):
            raise self._refuse(user, "noreply", number, "refuse.not_holder", number=number)
        t = self.items.transition(number, allowed=(State.CLAIMED, State.NEW), close=True,
                                  state=State.NOREPLY.value, reason=reason,
                                  closed_at=self.now().isoformat(),
                                  holder=item.holder or user)
        if not t.ok:
            raise self._state_refusal(user, "noreply", item, t.state)
        self.timers.stop(number)
        label = say(f"reason.{reason}", self._lang()) if f"reason.{reason}" in _reason_keys() \
            else reason
        return Outcome("ok.noreply", {"number": number, "reason": label},
                       self._after(user, "noreply", item, "thread.noreply", reason=escape(label)))

    def resolve(self, user: str, number: int) -> Outcome:
        """Mark an answered, private or no-reply item as resolved."""
        item = self._item_for(user, "resolve", number)
        # a post X allows no reply to is handled on X itself, so it may be resolved when claimed
        allowed = CLOSED_BY_AGENT if item.mention.replyable else (*CLOSED_BY_AGENT, State.CLAIMED)
        self._require_hold(user, "resolve", item, allowed)
        t = self.items.transition(number, allowed=allowed, close=True,
                                  state=State.RESOLVED.value, resolved_at=self.now().isoformat())
        if not t.ok:
            raise self._state_refusal(user, "resolve", item, t.state)
        self.timers.stop(number)
        return Outcome("ok.resolved", {"number": number},
                       self._after(user, "resolve", item, "thread.resolved"))

    # ----- the agent's own settings ------------------------------------------------------------
    def set_kuerzel(self, user: str, kuerzel: str) -> Outcome:
        """Set the caller's signature: 2–4 letters, unique in the team."""
        import re

        self._require_agent(user, "kuerzel", None)
        k = kuerzel.strip().upper()
        if not re.fullmatch(r"[A-ZÄÖÜ]{2,4}", k):
            raise self._refuse(user, "kuerzel", None, "refuse.kuerzel_format", kuerzel=kuerzel)
        configured = {v.upper(): u for u, v in self.config.agents.items()}
        owner = configured.get(k)
        if owner and owner != user and (self.kuerzel.get(owner) in (None, k)):
            raise self._refuse(user, "kuerzel", None, "refuse.kuerzel_taken", kuerzel=k,
                               owner=owner)
        taken = self.kuerzel.set(user, k)
        if taken:
            raise self._refuse(user, "kuerzel", None, "refuse.kuerzel_taken", kuerzel=k,
                               owner=taken)
        self.audit.record(user, "kuerzel", None, "ok", kuerzel=k)
        return Outcome("ok.kuerzel", {"kuerzel": k})


def _reason_keys() -> set[str]:
    from bot.messages import CATALOGUE

    return {k for k in CATALOGUE if k.startswith("reason.")}
