"""Agent work on an item besides answering: claim, release, assign, no reply, resolve, escalate.

The states: new → claimed → answered | private | noreply → resolved. Claims are atomic
(of two agents claiming at once exactly one wins); only leads assign.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.config import DeskConfig
from bot.desk.incidents import Incidents
from bot.desk.outcomes import Outcome
from bot.desk.ports import TimerPort
from bot.desk.publisher import Publisher
from bot.desk.rules import Rules
from bot.markup import escape
from bot.messages import CATALOGUE, say
from bot.models import Item, State
from bot.store import AuditLog, ItemStore
from bot.store.agents import KuerzelStore

CLOSED_BY_AGENT = (State.ANSWERED, State.PRIVATE, State.NOREPLY)
_REASON_ALIASES = {
    "spam": "spam", "troll": "troll", "solved": "solved", "erledigt": "solved",
    "geloest": "solved", "gelöst": "solved", "no_question": "no_question",
    "keine_frage": "no_question", "keinefrage": "no_question", "duplicate": "duplicate",
    "doppelt": "duplicate", "duplikat": "duplicate",
}


def normalise_reason(text: str) -> str:
    """Map a typed reason to a known key (`spam`, …) or keep the free text."""
    t = text.strip()
    return _REASON_ALIASES.get(t.lower().replace(" ", "_").replace("-", "_"), t)


def reason_label(reason: str, lang: str) -> str:
    """A known reason in the team's words; free text as typed."""
    return say(f"reason.{reason}", lang) if f"reason.{reason}" in CATALOGUE else reason


class Workflow:
    """Claim, release, assign, no reply, resolve, escalate, Kürzel."""

    def __init__(self, config: DeskConfig, rules: Rules, items: ItemStore, audit: AuditLog,
                 kuerzel: KuerzelStore, publisher: Publisher, timers: TimerPort,
                 now: Callable[[], datetime], incidents: Incidents) -> None:
        self.config, self.rules, self.items, self.audit = config, rules, items, audit
        self.kuerzel, self.publisher, self.timers, self.now = kuerzel, publisher, timers, now
        self.incidents = incidents
        self.lang = config.language

    def held_item(self, user: str, action: str, number: int) -> Item:
        """The item if `user` may act on it now (before opening a modal); else a refusal."""
        item = self.rules.item_for(user, action, number)
        self.rules.require_hold(user, action, item)
        return item

    # ----- claim / release / assign -----------------------------------------------------------
    def claim(self, user: str, number: int) -> Outcome:
        """Take an unclaimed item. Atomic: of two agents claiming at once, exactly one wins."""
        item = self.rules.item_for(user, "claim", number)
        t = self.items.transition(number, allowed=(State.NEW,), require_holder="!",
                                  state=State.CLAIMED.value, holder=user,
                                  claimed_at=self.now().isoformat())
        if not t.ok:
            if t.holder == user and t.state == State.CLAIMED:
                raise self.rules.refuse(user, "claim", number, "refuse.already_yours",
                                        number=number)
            if t.holder and t.state == State.CLAIMED:
                raise self.rules.refuse(user, "claim", number, "refuse.held_by_other",
                                        number=number, holder=t.holder)
            raise self.rules.state_refusal(user, "claim", item, t.state)
        return Outcome("ok.claimed", {"number": number},
                       self.publisher.done(user, "claim", item, "thread.claimed"))

    def release(self, user: str, number: int) -> Outcome:
        """Give a claimed item back to the team."""
        item = self.rules.item_for(user, "release", number)
        self.rules.require_hold(user, "release", item)
        t = self.items.transition(number, allowed=(State.CLAIMED,), require_holder=item.holder,
                                  state=State.NEW.value, holder="")
        if not t.ok:
            raise self.rules.state_refusal(user, "release", item, t.state)
        return Outcome("ok.released", {"number": number},
                       self.publisher.done(user, "release", item, "thread.released"))

    def assign(self, user: str, number: int, agent: str, note: str = "") -> Outcome:
        """Leads only: give an open item to `agent`; a handover `note` goes into the thread
        with a ping for the new holder (issue 16)."""
        item = self.rules.item_for(user, "assign", number)
        if not self.rules.is_lead(user):
            raise self.rules.refuse(user, "assign", number, "refuse.leads_only",
                                    leads=self.rules.leads_text())
        if not self.rules.is_agent(agent):
            raise self.rules.refuse(user, "assign", number, "refuse.assignee_not_agent",
                                    agent=agent)
        t = self.items.transition(number, allowed=(State.NEW, State.CLAIMED),
                                  state=State.CLAIMED.value, holder=agent)
        if not t.ok:
            raise self.rules.state_refusal(user, "assign", item, t.state)
        note = note.strip()
        if note:
            return Outcome("ok.assigned", {"number": number, "agent": agent}, self.publisher.done(
                user, "assign", item, "thread.handover", agent=agent, note=escape(note),
                audit={"agent": agent, "note": True}))
        return Outcome("ok.assigned", {"number": number, "agent": agent},
                       self.publisher.done(user, "assign", item, "thread.assigned", agent=agent))

    # ----- closing ----------------------------------------------------------------------------
    def no_reply(self, user: str, number: int, reason: str) -> Outcome:
        """Close without answering; the reason is required."""
        item = self.rules.item_for(user, "noreply", number)
        reason = normalise_reason(reason)
        if len(reason) < 3:
            raise self.rules.refuse(user, "noreply", number, "refuse.reason_required",
                                    number=number, reasons=", ".join(self.config.noreply_reasons))
        if item.is_incident:  # closes every member with it
            return self.incidents.close_all(user, number, "noreply", reason)
        self.rules.require_hold(user, "noreply", item, (State.CLAIMED, State.NEW))
        if item.state == State.NEW and not self.rules.is_lead(user):
            raise self.rules.refuse(user, "noreply", number, "refuse.not_holder", number=number)
        t = self.items.transition(number, allowed=(State.CLAIMED, State.NEW), close=True,
                                  state=State.NOREPLY.value, reason=reason,
                                  closed_at=self.now().isoformat(),
                                  holder=item.holder or user)
        if not t.ok:
            raise self.rules.state_refusal(user, "noreply", item, t.state)
        self.timers.stop(number)
        label = reason_label(reason, self.lang)
        return Outcome("ok.noreply", {"number": number, "reason": label}, self.publisher.done(
            user, "noreply", item, "thread.noreply", reason=escape(label),
            audit={"reason": escape(label), "reason_code": reason}))

    def resolve(self, user: str, number: int) -> Outcome:
        """Mark an answered, private or no-reply item as resolved."""
        item = self.rules.item_for(user, "resolve", number)
        if item.is_incident:  # resolves every member with it
            return self.incidents.close_all(user, number, "resolve")
        # a post X allows no reply to is handled on X itself, so it may be resolved when claimed
        allowed = CLOSED_BY_AGENT if item.mention.replyable else (*CLOSED_BY_AGENT, State.CLAIMED)
        allowed = (*allowed, State.WAITING)  # the agent ends a wait early (issue 16)
        self.rules.require_hold(user, "resolve", item, allowed)
        t = self.items.transition(number, allowed=allowed, close=True,
                                  state=State.RESOLVED.value, resolved_at=self.now().isoformat())
        if not t.ok:
            raise self.rules.state_refusal(user, "resolve", item, t.state)
        self.timers.stop(number)
        return Outcome("ok.resolved", {"number": number},
                       self.publisher.done(user, "resolve", item, "thread.resolved"))

    def escalate(self, user: str, number: int, note: str = "") -> Outcome:
        """Agents only: ping the leads in the item's thread now, with an optional note."""
        item = self.rules.item_for(user, "escalate", number)
        if not item.is_open:
            raise self.rules.state_refusal(user, "escalate", item, item.state.value)
        extra = say("timer.note", self.lang, note=escape(note.strip())) if note.strip() else ""
        self.publisher.thread_line(item, "timer.escalated", leads=self.rules.leads_text(),
                                   user=user, number=number, note=extra)
        self.audit.record(user, "escalate", number, "ok", note=bool(note.strip()))
        return Outcome("ok.escalated", {"number": number}, item)

    # ----- the agent's own settings ------------------------------------------------------------
    def set_kuerzel(self, user: str, kuerzel: str) -> Outcome:
        """Set the caller's signature: 2–4 letters, unique in the team."""
        self.rules.require_agent(user, "kuerzel", None)
        k = self.rules.check_kuerzel(user, kuerzel)
        taken = self.kuerzel.set(user, k)
        if taken:
            raise self.rules.refuse(user, "kuerzel", None, "refuse.kuerzel_taken", kuerzel=k,
                                    owner=taken)
        self.audit.record(user, "kuerzel", None, "ok", kuerzel=k)
        return Outcome("ok.kuerzel", {"kuerzel": k})
